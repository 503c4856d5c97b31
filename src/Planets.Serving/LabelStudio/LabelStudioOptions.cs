namespace Planets.Serving.LabelStudio;

/// <summary>
/// How the Label Studio ML backend reaches task images; bound from the <c>LabelStudio</c> configuration section
/// (<c>--label-studio-*</c> switches, <c>PLANETS_SERVING_LabelStudio__*</c> variables).
/// </summary>
public sealed record LabelStudioOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string Section = "LabelStudio";

    /// <summary>
    /// The Label Studio server for upload paths (<c>/data/upload/…</c>) when its <c>/setup</c> call gave no hostname;
    /// null to refuse such paths until then.
    /// </summary>
    public string? Hostname { get; init; }

    /// <summary>
    /// The folder Label Studio serves <c>/data/local-files/?d=</c> paths from (its <c>LOCAL_FILES_DOCUMENT_ROOT</c>)
    /// when it shares a disk with this service; null to refuse local-files paths.
    /// </summary>
    public string? LocalFilesRoot { get; init; }

    /// <summary>
    /// Hosts whose http(s) image URLs are fetched, comma-separated, besides the Label Studio host itself. Any other
    /// host is refused, so a task cannot make the service call into its own network.
    /// </summary>
    public string AllowedHosts { get; init; } = "";

    /// <summary>Longest time one image download may take, in seconds.</summary>
    public double FetchTimeoutSeconds { get; init; } = 10;

    /// <summary>Images of one request downloaded at once.</summary>
    public int FetchConcurrency { get; init; } = 8;

    /// <summary>The hosts of <see cref="AllowedHosts"/>.</summary>
    public IReadOnlySet<string> AllowedHostSet =>
        AllowedHosts.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Fails with a one-line message naming the first invalid option.</summary>
    public void Validate()
    {
        Require(FetchTimeoutSeconds > 0, "FetchTimeoutSeconds must be positive");
        Require(FetchConcurrency > 0, "FetchConcurrency must be positive");
        Require(Hostname is null || Uri.TryCreate(Hostname, UriKind.Absolute, out var host) && host.Scheme is "http" or "https",
            $"Hostname '{Hostname}' must be an http(s) URL such as http://localhost:8080");
        Require(LocalFilesRoot is null || Directory.Exists(LocalFilesRoot), $"LocalFilesRoot '{LocalFilesRoot}' is not a folder");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"{Section}: {message}");
        }
    }
}
