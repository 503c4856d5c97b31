using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Planets.Build.Packaging;

/// <summary>
/// The service bundle, as a Bento: the published prediction service, the model archive it was made from, a model
/// store holding exactly that model (what the service reads), and <c>bundle.json</c> naming the versions of each.
/// <c>Containerize</c> turns it into the service image (service and store; the archive stays in the bundle).
/// </summary>
/// <param name="Directory">The bundle's folder.</param>
/// <param name="Manifest">What it holds.</param>
internal sealed record ServiceBundle(string Directory, BundleManifest Manifest)
{
    /// <summary>The bundle's name, also the service image's name.</summary>
    public const string Name = "planets-service";

    /// <summary>Where <c>Build</c> writes the bundle, relative to the repository root.</summary>
    public const string DefaultDirectory = "artifacts/bundles/planets-service";

    /// <summary>The published service inside the bundle.</summary>
    public const string AppFolder = "app";

    /// <summary>The model store inside the bundle.</summary>
    public const string ModelsFolder = "models";

    /// <summary>The model archive inside the bundle.</summary>
    public const string ArchiveFile = "planets-classifier.zip";

    /// <summary>The service's entry assembly inside <see cref="AppFolder"/>.</summary>
    public const string EntryAssembly = "Planets.Serving.dll";

    private const string ManifestFile = "bundle.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads the bundle in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidOperationException">There is no bundle there.</exception>
    public static async Task<ServiceBundle> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} not found: build the service bundle first (--target=Build)");
        }

        await using var stream = File.OpenRead(path);
        var manifest = await JsonSerializer.DeserializeAsync<BundleManifest>(stream, Json, cancellationToken)
            ?? throw new InvalidOperationException($"{path}: empty bundle manifest");
        return new ServiceBundle(Path.GetFullPath(directory), manifest);
    }

    /// <summary>Writes <paramref name="manifest"/> into the bundle being assembled in <paramref name="directory"/>.</summary>
    public static async Task WriteManifestAsync(string directory, BundleManifest manifest, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(Path.Combine(directory, ManifestFile));
        await JsonSerializer.SerializeAsync(stream, manifest, Json, cancellationToken);
    }

    /// <summary>The SHA-256 of <paramref name="file"/>, in hex.</summary>
    public static async Task<string> Sha256Async(string file, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>
    /// Puts the bundle assembled in <paramref name="staging"/> in place of <paramref name="target"/> by renames, so a
    /// reader sees the old bundle or the new one, never a mix.
    /// </summary>
    public static void Replace(string staging, string target)
    {
        var retired = $"{target}.old-{Guid.NewGuid():N}";
        if (System.IO.Directory.Exists(target))
        {
            System.IO.Directory.Move(target, retired);
        }

        System.IO.Directory.Move(staging, target);
        if (System.IO.Directory.Exists(retired))
        {
            System.IO.Directory.Delete(retired, recursive: true);
        }
    }
}

/// <summary>The versions a bundle is made of (<c>bundle.json</c>).</summary>
/// <param name="Name">The bundle's name.</param>
/// <param name="Model">The model's tag, <c>name:version</c>.</param>
/// <param name="ModelArchiveSha256">The SHA-256 of the model archive it was made from.</param>
/// <param name="ServiceVersion">The prediction service's version.</param>
/// <param name="DotnetRuntime">The .NET runtime the service needs.</param>
/// <param name="GitRevision">The source revision, when built in a git work tree.</param>
internal sealed record BundleManifest(string Name, string Model, string ModelArchiveSha256, string ServiceVersion, string DotnetRuntime, string? GitRevision)
{
    /// <summary>The model's version: the part of <see cref="Model"/> after the colon.</summary>
    public string ModelVersion => Model[(Model.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
