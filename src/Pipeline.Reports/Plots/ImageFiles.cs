using Pipeline.Storage.Hashing;

namespace Pipeline.Reports.Plots;

/// <summary>The image files a pipeline's image plots hold: PNG, JPEG, SVG or GIF, found in plot files and folders.</summary>
internal static class ImageFiles
{
    /// <summary>Whether <paramref name="path"/> names an image a browser shows.</summary>
    public static bool IsImage(string path) => MediaType(path) is not null;

    /// <summary>The images below <paramref name="root"/> at <paramref name="plotPaths"/> (files, or folders searched), by repository path.</summary>
    public static IReadOnlyList<string> List(string root, IEnumerable<string> plotPaths) =>
    [
        .. plotPaths.SelectMany(plot =>
        {
            var full = Path.Combine(root, plot);
            return Directory.Exists(full)
                ? ContentHasher.ListFiles(full).Select(file => $"{plot}/{file}")
                : File.Exists(full) ? [plot] : [];
        }).Where(IsImage),
    ];

    /// <summary>Each image of <see cref="List"/> as a data URI, keyed by its repository path.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> DataUrisAsync(string root, IEnumerable<string> plotPaths, CancellationToken cancellationToken)
    {
        var uris = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in List(root, plotPaths))
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(root, image), cancellationToken);
            uris[image] = $"data:{MediaType(image)};base64,{Convert.ToBase64String(bytes)}";
        }

        return uris;
    }

    private static string? MediaType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".svg" => "image/svg+xml",
        ".gif" => "image/gif",
        _ => null,
    };
}
