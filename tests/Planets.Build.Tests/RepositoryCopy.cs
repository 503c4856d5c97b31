using CliWrap;
using CliWrap.Buffered;

namespace Planets.Build.Tests;

/// <summary>
/// A copy of this repository in a temporary folder, as a fresh clone has it, for running its targets with the real
/// <c>dotnet cake</c>. The built program and the sources are shared with the repository through links, not copied.
/// </summary>
internal sealed class RepositoryCopy : IDisposable
{
    private static readonly string[] Files =
        ["build.cake", "cake.config", "params.yaml", ".config/dotnet-tools.json", "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig"];

    public RepositoryCopy()
    {
        Directory.CreateDirectory(Path.Combine(Root, ".config"));
        foreach (var file in Files)
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, file), Path.Combine(Root, file));
        }

        Directory.CreateSymbolicLink(Path.Combine(Root, "artifacts"), Path.Combine(RepositoryPaths.Root, "artifacts"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "src"), Path.Combine(RepositoryPaths.Root, "src"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "kubernetes"), Path.Combine(RepositoryPaths.Root, "kubernetes"));
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
    public async Task EditParamsAsync(string text, string replacement)
    {
        var path = Path.Combine(Root, "params.yaml");
        await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace(text, replacement, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
