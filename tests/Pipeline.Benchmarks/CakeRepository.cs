using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;

namespace Pipeline.Benchmarks;

/// <summary>
/// A git repository in a temporary folder whose build.cake registers stages given as C# through the engine built with
/// this benchmark, run with the real <c>dotnet cake</c>; and the floor of any Cake run (one empty task) to compare with.
/// </summary>
internal sealed class CakeRepository
{
    private CakeRepository(string root) => Root = root;

    public string Root { get; }

    public static async Task<CakeRepository> CreateAsync(string repositoryRoot, string folder, string stages, string registration, string parameters)
    {
        var repository = new CakeRepository(folder);
        Directory.CreateDirectory(Path.Combine(folder, ".config"));
        File.Copy(Path.Combine(repositoryRoot, ".config", "dotnet-tools.json"), Path.Combine(folder, ".config", "dotnet-tools.json"));
        var assemblies = AppContext.BaseDirectory;
        await File.WriteAllTextAsync(Path.Combine(folder, "cake.config"),
            $"[Settings]\nEnableScriptCache=true\n[Paths]\nCache={Path.Combine(Path.GetDirectoryName(folder)!, "script-cache")}\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "build.cake"), string.Join('\n',
            $"#r \"{Path.Combine(assemblies, "Pipeline.Core.dll")}\"",
            $"#r \"{Path.Combine(assemblies, "Pipeline.Cake.dll")}\"",
            "using Pipeline.Cake;",
            "using Pipeline.Core.Stages;",
            stages,
            $"RunTarget(PipelineTasks.Register(Context, Task, Teardown, {registration}));",
            ""));
        await File.WriteAllTextAsync(Path.Combine(folder, "params.yaml"), parameters);
        await File.WriteAllTextAsync(Path.Combine(folder, ".gitignore"), "/.pipeline/\n/out/\n");
        Directory.CreateDirectory(Path.Combine(folder, "raw"));
        await File.WriteAllTextAsync(Path.Combine(folder, "raw", "data.txt"), "benchmark input\n");
        await GitAsync(folder, "init", "--quiet");
        await GitAsync(folder, "add", "-A");
        await GitAsync(folder, "commit", "--quiet", "-m", "pipeline");
        return repository;
    }

    /// <summary>An empty Cake script in <paramref name="folder"/> with the same configuration: what any run costs.</summary>
    public static async Task<string> FloorAsync(string repositoryRoot, string folder)
    {
        if (Directory.Exists(folder))
        {
            return folder;
        }

        Directory.CreateDirectory(Path.Combine(folder, ".config"));
        File.Copy(Path.Combine(repositoryRoot, ".config", "dotnet-tools.json"), Path.Combine(folder, ".config", "dotnet-tools.json"));
        await File.WriteAllTextAsync(Path.Combine(folder, "cake.config"), $"[Settings]\nEnableScriptCache=true\n[Paths]\nCache={Path.Combine(Path.GetDirectoryName(folder)!, "script-cache")}\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "build.cake"), "Task(\"Default\");\nRunTarget(\"Default\");\n");
        await CakeIn(folder);
        return folder;
    }

    /// <summary>Runs <c>dotnet cake</c> and fails the benchmark when it fails.</summary>
    public async Task<TimeSpan> CakeAsync(params string[] arguments)
    {
        var clock = Stopwatch.StartNew();
        var result = await CakeIn(Root, arguments);
        return result.ExitCode == 0
            ? clock.Elapsed
            : throw new InvalidOperationException($"dotnet cake {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
    }

    /// <summary>Runs <c>dotnet cake</c> and returns its result, failed or not.</summary>
    public Task<BufferedCommandResult> TryCakeAsync(params string[] arguments) => CakeIn(Root, arguments);

    public static Task<BufferedCommandResult> CakeIn(string folder, params string[] arguments) =>
        Cli.Wrap("dotnet").WithArguments(["cake", .. arguments]).WithWorkingDirectory(folder)
            .WithEnvironmentVariables(env => env.Set("NO_COLOR", "1"))
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();

    private static Task GitAsync(string folder, params string[] arguments) =>
        Cli.Wrap("git").WithArguments(["-c", "user.name=Benchmarks", "-c", "user.email=benchmarks@example.com", "-c", "init.defaultBranch=main", .. arguments])
            .WithWorkingDirectory(folder).ExecuteAsync();
}
