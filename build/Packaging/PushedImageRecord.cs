using System.Text.Json;
using Pipeline.Storage;

namespace Planets.Build.Packaging;

/// <summary>
/// The last push of an image (<c>.pipeline/images/&lt;name&gt;.json</c>): <c>PushImage</c> writes it, <c>Deploy</c> and
/// <c>TrainRemote</c> read it to pin the image to the digest the registry answered.
/// </summary>
/// <param name="Image">The pushed repository, e.g. <c>registry.example.com/team/planets-service</c>.</param>
/// <param name="Tag">The tag pushed.</param>
/// <param name="Digest">The manifest digest.</param>
internal sealed record PushedImageRecord(string Image, string Tag, string Digest)
{
    private const string Folder = ".pipeline/images";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The image pinned to its digest.</summary>
    public string Pinned => $"{Image}@{Digest}";

    /// <summary>Writes the record of image <paramref name="name"/> atomically.</summary>
    public Task WriteAsync(string root, string name, CancellationToken cancellationToken)
    {
        var path = PathOf(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return AtomicFile.WriteAllBytesAsync(path, JsonSerializer.SerializeToUtf8Bytes(this, Json), cancellationToken);
    }

    /// <summary>The record of image <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">It was never pushed from this work tree.</exception>
    public static async Task<PushedImageRecord> ReadAsync(string root, string name, CancellationToken cancellationToken)
    {
        var path = PathOf(root, name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{Path.GetRelativePath(root, path)} not found: push the image first (--target=PushImage), or name it with --image-digest=REPOSITORY@sha256:...");
        }

        return JsonSerializer.Deserialize<PushedImageRecord>(await File.ReadAllBytesAsync(path, cancellationToken), Json)
            ?? throw new InvalidOperationException($"{path}: empty image record");
    }

    private static string PathOf(string root, string name) => Path.Combine(root, Folder, $"{name}.json");
}
