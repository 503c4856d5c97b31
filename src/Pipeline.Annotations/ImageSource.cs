using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Pipeline.Annotations;

/// <summary>Where the images an export names are found.</summary>
public sealed record ImageLocations
{
    /// <summary>The export's folder: a relative local path is taken from there.</summary>
    public required string ExportFolder { get; init; }

    /// <summary>
    /// A folder holding the images Label Studio was given (upload paths are matched by their original file name,
    /// local-files paths by their path or file name); null to look nowhere locally.
    /// </summary>
    public string? ImagesFolder { get; init; }

    /// <summary>The Label Studio server to download upload and local-files paths from; null to not download them.</summary>
    public Uri? LabelStudioHost { get; init; }

    /// <summary>The Label Studio access token sent to <see cref="LabelStudioHost"/> (never to any other host).</summary>
    public string? AccessToken { get; init; }

    /// <summary>Longest time one download may take.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest image accepted, in bytes.</summary>
    public long MaxImageBytes { get; init; } = 64L << 20;
}

/// <summary>An image read for import: the file name it is filed under and its bytes.</summary>
/// <param name="FileName">The original file name (an upload path's 8-hex prefix removed, hyphens in the name kept).</param>
/// <param name="Content">The encoded image.</param>
public sealed record ImageFile(string FileName, byte[] Content);

/// <summary>
/// Reads the image an export names: a local path (absolute, or relative to the export), a Label Studio upload path
/// (<c>/data/upload/&lt;project&gt;/&lt;8 hex&gt;-&lt;name&gt;</c>), a local-files path (<c>/data/local-files/?d=…</c>)
/// or an http(s) URL.
/// </summary>
public sealed partial class ImageSource(ImageLocations locations, HttpClient http)
{
    /// <summary>Reads the image <paramref name="reference"/> names.</summary>
    /// <exception cref="AnnotationException">It is found nowhere, cannot be downloaded, or is no JPEG or PNG.</exception>
    public async Task<ImageFile> ReadAsync(string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var image = await FindAsync(reference, cancellationToken).ConfigureAwait(false);
        return IsJpegOrPng(image.Content)
            ? image
            : throw new AnnotationException($"{reference}: not a JPEG or PNG image");
    }

    private Task<ImageFile> FindAsync(string reference, CancellationToken cancellationToken)
    {
        if (UploadPath().Match(reference) is { Success: true } upload)
        {
            var name = Uri.UnescapeDataString(upload.Groups["name"].Value);
            return LocalOrDownloadAsync(reference, name, [name, Uri.UnescapeDataString(upload.Groups["stored"].Value)], cancellationToken);
        }

        if (reference.StartsWith("/data/local-files/", StringComparison.Ordinal))
        {
            var relative = LocalFilesPath(reference);
            return LocalOrDownloadAsync(reference, Path.GetFileName(relative), [relative, Path.GetFileName(relative), "/" + relative], cancellationToken);
        }

        if (Uri.TryCreate(reference, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return DownloadAsync(reference, url, FileNameOf(reference, Uri.UnescapeDataString(url.Segments[^1])), cancellationToken);
        }

        var path = reference.StartsWith("file://", StringComparison.Ordinal) ? new Uri(reference).LocalPath : reference;
        var full = Path.IsPathRooted(path) ? path : Path.Combine(locations.ExportFolder, path);
        return File.Exists(full)
            ? ReadLocalAsync(reference, full, cancellationToken)
            : throw new AnnotationException($"{reference}: image file not found ({full})");
    }

    private async Task<ImageFile> LocalOrDownloadAsync(string reference, string fileName, string[] candidates, CancellationToken cancellationToken)
    {
        fileName = FileNameOf(reference, fileName);
        if (locations.ImagesFolder is { } folder)
        {
            foreach (var candidate in candidates.Where(c => !Path.IsPathRooted(c)).Select(c => Path.Combine(folder, c)).Where(File.Exists))
            {
                return (await ReadLocalAsync(reference, candidate, cancellationToken).ConfigureAwait(false)) with { FileName = fileName };
            }
        }

        if (locations.LabelStudioHost is { } host)
        {
            return await DownloadAsync(reference, new Uri(host, reference), fileName, cancellationToken).ConfigureAwait(false);
        }

        if (candidates.FirstOrDefault(c => Path.IsPathRooted(c) && File.Exists(c)) is { } served)
        {
            return (await ReadLocalAsync(reference, served, cancellationToken).ConfigureAwait(false)) with { FileName = fileName };
        }

        var where = locations.ImagesFolder is { } images ? $"not in {images} (as {fileName})" : "no --images folder given";
        throw new AnnotationException($"{reference}: {where}, and no Label Studio host to download it from (--label-studio-host)");
    }

    private async Task<ImageFile> ReadLocalAsync(string reference, string path, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length > locations.MaxImageBytes)
        {
            throw new AnnotationException($"{reference}: larger than {locations.MaxImageBytes} bytes");
        }

        return new ImageFile(FileNameOf(reference, Path.GetFileName(path)), await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
    }

    private async Task<ImageFile> DownloadAsync(string reference, Uri url, string fileName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(locations.DownloadTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var onLabelStudio = locations.LabelStudioHost is { } host
            && Uri.Compare(url, host, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        if (onLabelStudio && locations.AccessToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new AnnotationException($"{reference}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {url.GetLeftPart(UriPartial.Authority)}");
            }

            return new ImageFile(fileName, await ReadLimitedAsync(reference, response.Content, timeout.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AnnotationException($"{reference}: no answer within {locations.DownloadTimeout.TotalSeconds:0} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new AnnotationException($"{reference}: {ex.Message}", ex);
        }
    }

    // Checked while reading too: a chunked answer announces no length.
    private async Task<byte[]> ReadLimitedAsync(string reference, HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > locations.MaxImageBytes)
        {
            throw new AnnotationException($"{reference}: larger than {locations.MaxImageBytes} bytes");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > locations.MaxImageBytes)
                {
                    throw new AnnotationException($"{reference}: larger than {locations.MaxImageBytes} bytes");
                }
            }

            return buffer.ToArray();
        }
    }

    // Label Studio quotes the path with '/' kept; normalised as its own view does, without a leading '/'.
    private static string LocalFilesPath(string reference)
    {
        var query = reference[(reference.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&')
            .FirstOrDefault(p => p.StartsWith("d=", StringComparison.Ordinal))
            ?? throw new AnnotationException($"{reference}: a local-files path needs ?d=<path>");
        var path = Uri.UnescapeDataString(query[2..].Replace('+', ' ')).TrimStart('/');
        return path.Split('/').Contains("..")
            ? throw new AnnotationException($"{reference}: the path leaves the local-files root")
            : path;
    }

    private static string FileNameOf(string reference, string name) =>
        name.Length > 0 && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && name is not ("." or "..")
            ? name
            : throw new AnnotationException($"{reference}: no usable file name in the reference");

    private static bool IsJpegOrPng(byte[] content) =>
        content is [0xFF, 0xD8, 0xFF, ..] or [0x89, (byte)'P', (byte)'N', (byte)'G', ..];

    [GeneratedRegex(@"^/data/upload/\d+/(?<stored>[0-9a-f]{8}-(?<name>[^/?#]+))$")]
    private static partial Regex UploadPath();
}
