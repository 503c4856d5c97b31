using CliWrap;
using CliWrap.Buffered;

namespace Planets.Build.Tests;

/// <summary>
/// A copy of this repository in a temporary folder, as a fresh clone has it, for running its targets with the real
/// <c>dotnet cake</c>. The sources are copied (MSBuild's restore follows a linked folder to the real project and its
/// build does not, so a linked src/ breaks transitive package references). By default the built programs are shared
/// with the repository through a link to its artifacts/; a copy with artifacts of its own (to edit sources) builds
/// its programs itself, sharing only the pipeline's definition (build/'s assembly).
/// </summary>
internal sealed class RepositoryCopy : IDisposable
{
    private static readonly string[] Files =
        ["build.cake", "cake.config", "params.yaml", ".config/dotnet-tools.json", "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig"];

    public RepositoryCopy(bool ownArtifacts = false)
    {
        Directory.CreateDirectory(Path.Combine(Root, ".config"));
        foreach (var file in Files)
        {
            Copy(Path.Combine(RepositoryPaths.Root, file), Path.Combine(Root, file));
        }

        Directory.CreateSymbolicLink(Path.Combine(Root, "kubernetes"), Path.Combine(RepositoryPaths.Root, "kubernetes"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "scripts"), Path.Combine(RepositoryPaths.Root, "scripts"));
        CopyFolder(Path.Combine(RepositoryPaths.Root, "src"), Path.Combine(Root, "src"));
        if (!ownArtifacts)
        {
            Directory.CreateSymbolicLink(Path.Combine(Root, "artifacts"), Path.Combine(RepositoryPaths.Root, "artifacts"));
            return;
        }

        Directory.CreateDirectory(Path.Combine(Root, "artifacts", "bin"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "artifacts", "bin", "Planets.Build"), Path.Combine(RepositoryPaths.Root, "artifacts", "bin", "Planets.Build"));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "planets-build-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Variables added to the environment of every <see cref="CakeAsync"/>.</summary>
    public Dictionary<string, string?> Environment { get; } = [];

    /// <summary>Runs <c>dotnet cake</c> with <paramref name="arguments"/>; the output is plain text, colours removed.</summary>
    public async Task<(int ExitCode, string Output)> CakeAsync(params string[] arguments)
    {
        var result = await Cli.Wrap("dotnet").WithArguments(["cake", .. arguments]).WithWorkingDirectory(Root)
            .WithEnvironmentVariables(Environment).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return (result.ExitCode, ConsoleText.Plain(result.StandardOutput + result.StandardError));
    }

    /// <summary>Replaces <paramref name="text"/> with <paramref name="replacement"/> in params.yaml.</summary>
    public Task EditParamsAsync(string text, string replacement) => EditAsync("params.yaml", text, replacement);

    /// <summary>Replaces <paramref name="text"/> with <paramref name="replacement"/> in the copy's file <paramref name="relative"/>.</summary>
    public async Task EditAsync(string relative, string text, string replacement)
    {
        var path = Path.Combine(Root, relative);
        var content = await File.ReadAllTextAsync(path);
        Assert.Contains(text, content, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, content.Replace(text, replacement, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            Copy(file, copy);
        }
    }

    // With its time: the pipeline's definition, shared through artifacts/, is checked to be newer than its sources.
    private static void Copy(string source, string target)
    {
        File.Copy(source, target);
        File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(source));
    }
}
