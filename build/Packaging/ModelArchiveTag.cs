using System.IO.Compression;
using System.Text.Json;

namespace Planets.Build.Packaging;

/// <summary>
/// The tag (<c>name:version</c>) of a model archive, read from the <c>manifest.json</c> every archive carries: what a
/// store that imports the archive holds it as.
/// </summary>
internal static class ModelArchiveTag
{
    /// <summary>Reads the tag of the archive at <paramref name="archive"/>.</summary>
    /// <exception cref="InvalidDataException">It is not a model archive.</exception>
    public static async Task<string> ReadAsync(string archive, CancellationToken cancellationToken)
    {
        using var zip = ZipFile.OpenRead(archive);
        var entry = zip.GetEntry("manifest.json") ?? throw new InvalidDataException($"{archive}: no manifest.json; is it a model archive?");
        await using var stream = entry.Open();
        using var manifest = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return manifest.RootElement.TryGetProperty("name", out var name) && manifest.RootElement.TryGetProperty("version", out var version)
            ? $"{name.GetString()}:{version.GetString()}"
            : throw new InvalidDataException($"{archive}: its manifest.json names no model");
    }
}
