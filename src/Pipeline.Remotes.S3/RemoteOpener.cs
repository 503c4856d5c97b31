using Pipeline.Remotes.Configuration;

namespace Pipeline.Remotes.S3;

/// <summary>Opens a configured remote by the form of its URL: <c>s3://</c> on S3, anything else as a folder.</summary>
public static class RemoteOpener
{
    /// <summary>The remote for <paramref name="definition"/>; a relative folder is taken from <paramref name="repositoryRoot"/>.</summary>
    public static IRemote Open(RemoteDefinition definition, string repositoryRoot)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Kind == RemoteKind.S3
            ? new S3Remote(definition)
            : new FolderRemote(definition, definition.FolderPath(repositoryRoot));
    }
}
