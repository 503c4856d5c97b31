namespace Pipeline.Models;

/// <summary>A model version in the store: its manifest and the folder holding its files.</summary>
/// <param name="Manifest">The model's metadata.</param>
/// <param name="Directory">The folder with <c>manifest.json</c> and the model's files.</param>
public sealed record StoredModel(ModelManifest Manifest, string Directory)
{
    /// <summary>The model's tag, <c>name:version</c>.</summary>
    public ModelTag Tag => Manifest.Tag;

    /// <summary>Whether the model has a file called <paramref name="fileName"/>.</summary>
    public bool HasFile(string fileName) => Manifest.Files.Any(f => f.Name == fileName);

    /// <summary>The full path of one of the model's files.</summary>
    /// <exception cref="ModelStoreException">The model has no such file.</exception>
    public string PathOf(string fileName) =>
        HasFile(fileName)
            ? Path.Combine(Directory, fileName)
            : throw new ModelStoreException($"model '{Tag}' has no file '{fileName}'");
}
