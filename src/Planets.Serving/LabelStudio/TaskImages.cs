using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Planets.Serving.Inference;

namespace Planets.Serving.LabelStudio;

/// <summary>A task's image that cannot be read; the message says why, and goes back for that task alone.</summary>
public sealed class TaskImageException : Exception
{
    /// <summary>Creates the failure.</summary>
    public TaskImageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the failure with its cause.</summary>
    public TaskImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a failure without a message.</summary>
    public TaskImageException()
    {
    }
}

/// <summary>
/// Reads the image a task names, as Label Studio stores it: an upload path on the Label Studio host (fetched with the
/// project's token), a local-files path under <see cref="LabelStudioOptions.LocalFilesRoot"/>, or an http(s) URL on
/// the Label Studio host or an allowed host. Downloads have a size and a time limit and follow no redirects.
/// </summary>
public sealed class TaskImages(IHttpClientFactory httpClients, IOptions<LabelStudioOptions> options, IOptions<ServingOptions> serving)
{
    /// <summary>The named HTTP client images are downloaded with.</summary>
    public const string HttpClientName = "label-studio-images";

    private const string LocalFilesPath = "/data/local-files/";

    /// <summary>The bytes of the image <paramref name="reference"/> names.</summary>
    /// <exception cref="TaskImageException">The reference is not usable or the image cannot be read.</exception>
    public Task<byte[]> ReadAsync(string reference, ProjectSetup? project, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.StartsWith(LocalFilesPath, StringComparison.Ordinal))
        {
            return ReadLocalFileAsync(reference, cancellationToken);
        }

        if (Uri.TryCreate(reference, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            var host = LabelStudioHost(project);
            var onLabelStudio = host is not null && Uri.Compare(url, host, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
            if (!onLabelStudio && !options.Value.AllowedHostSet.Contains(url.Host))
            {
                throw new TaskImageException($"{reference}: host '{url.Host}' is not the Label Studio host nor an allowed host (--label-studio-allowed-hosts)");
            }

            return DownloadAsync(url, onLabelStudio ? project?.AccessToken : null, cancellationToken);
        }

        if (reference.StartsWith('/'))
        {
            var host = LabelStudioHost(project)
                ?? throw new TaskImageException($"{reference}: a Label Studio path, but the Label Studio host is unknown (connect the backend from Label Studio, or set --label-studio-host)");
            return DownloadAsync(new Uri(host, reference), project?.AccessToken, cancellationToken);
        }

        throw new TaskImageException($"{reference}: not an image reference (expected an upload path, a local-files path or an http(s) URL)");
    }

    private Uri? LabelStudioHost(ProjectSetup? project) =>
        project?.Hostname ?? (options.Value.Hostname is { } configured ? new Uri(configured) : null);

    private async Task<byte[]> ReadLocalFileAsync(string reference, CancellationToken cancellationToken)
    {
        var root = options.Value.LocalFilesRoot
            ?? throw new TaskImageException($"{reference}: local files are not served here (set --label-studio-local-files to Label Studio's LOCAL_FILES_DOCUMENT_ROOT)");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri("http://local"), reference).Query);
        if (!query.TryGetValue("d", out var relative) || string.IsNullOrEmpty(relative))
        {
            throw new TaskImageException($"{reference}: a local-files path needs ?d=<path>");
        }

        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(fullRoot, relative.ToString()));
        if (!path.StartsWith(fullRoot, StringComparison.Ordinal))
        {
            throw new TaskImageException($"{reference}: the path leaves the local-files root");
        }

        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new TaskImageException($"{reference}: no such file under the local-files root");
        }

        CheckSize(reference, file.Length);
        return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> DownloadAsync(Uri url, string? token, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.FetchTimeoutSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
        }

        try
        {
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new TaskImageException($"{Shown(url)}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            CheckSize(Shown(url), response.Content.Headers.ContentLength ?? 0);
            return await ReadLimitedAsync(url, response.Content, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TaskImageException($"{Shown(url)}: no answer within {options.Value.FetchTimeoutSeconds:0.#} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new TaskImageException($"{Shown(url)}: {ex.Message}", ex);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(Uri url, HttpContent content, CancellationToken cancellationToken)
    {
        var limit = serving.Value.MaxImageBytes;
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                CheckSize(Shown(url), buffer.Length);
            }

            return buffer.ToArray();
        }
    }

    private void CheckSize(string reference, long length)
    {
        if (length > serving.Value.MaxImageBytes)
        {
            throw new TaskImageException($"{reference}: larger than the limit of {serving.Value.MaxImageBytes} bytes");
        }
    }

    // The path only: a query may carry a signed URL's credentials.
    private static string Shown(Uri url) => url.GetLeftPart(UriPartial.Path);
}
