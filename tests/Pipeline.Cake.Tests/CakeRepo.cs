using System.Diagnostics;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace Pipeline.Cake.Tests;

/// <summary>
/// A repository in a temp folder with a build.cake that declares its stages as typed classes and registers them
/// through <see cref="PipelineTasks"/>, run with the real <c>dotnet cake</c>.
/// </summary>
public sealed class CakeRepo : IDisposable
{
    /// <param name="stages">The stage classes.</param>
    /// <param name="registration">The stages handed to <c>PipelineTasks.Register</c>.</param>
    /// <param name="script">Script text that replaces the registration: a script of its own, using the aliases.</param>
    public CakeRepo(string stages, string registration = "new IStage[] { new Prepare(), new Train(), new Evaluate() }", string? script = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "pipeline-cake-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, ".config"));
        File.Copy(Path.Combine(RepositoryPaths.Root, ".config", "dotnet-tools.json"), Path.Combine(Root, ".config", "dotnet-tools.json"));
        // One script cache for all test repositories of this build: the same build.cake then compiles once, not once
        // per test. Cake keys its cache by the script's text alone, so a script compiled against an earlier build of
        // the assemblies it references must not be found by a later one: the folder is named after their builds.
        var cakeConfig = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "cake.config"));
        Write("cake.config", $"{cakeConfig}\n[Paths]\nCache={Path.Combine(Path.GetTempPath(), "pipeline-cake-tests", "script-cache", ReferencedBuild)}\n");
        Write("build.cake", BuildScript(stages, script ?? $"RunTarget(PipelineTasks.Register(Context, Task, Teardown, {registration}));"));
        Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 5\n");
        Write("raw/a.txt", "alpha");
        Write("raw/b.txt", "beta");
        Directory.CreateDirectory(Path.Combine(Root, "runs"));
    }

    /// <summary>prepare -> train -> evaluate as shell one-liners; while the file 'hold' exists, train
    /// touches 'started' and waits, so a test can act while a run is mid-stage.</summary>
    public const string DefaultStages = """
        sealed class Prepare : IStage
        {
            public StageDefinition Definition { get; } = new("prepare", CommandLine.Of("sh", "-c", "mkdir -p prepared && cat raw/* > prepared/all && echo x >> runs/prepare"))
            {
                Dependencies = ["raw"], Parameters = ["prepare"], Outputs = ["prepared"],
            };
        }

        sealed class Train : IStage
        {
            public StageDefinition Definition { get; } = new("train", CommandLine.Of("sh", "-c", "mkdir -p model && if [ -f hold ]; then touch started; while [ -f hold ]; do sleep 0.1; done; fi; cat prepared/all params.yaml > model/weights && echo x >> runs/train"))
            {
                Dependencies = ["prepared"], Parameters = ["train"], Outputs = ["model"],
            };
        }

        sealed class Evaluate : IStage
        {
            public StageDefinition Definition { get; } = new("evaluate", CommandLine.Of("sh", "-c", "md5sum model/weights > metrics.json && echo x >> runs/evaluate"))
            {
                Dependencies = ["model"], Metrics = ["metrics.json"],
            };
        }
        """;

    public string Root { get; }

    // The builds of the assemblies the scripts reference (their module version ids change with any change of code).
    private static string ReferencedBuild { get; } = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
        System.Text.Encoding.UTF8.GetBytes(string.Join(',', new[] { typeof(PipelineTasks), typeof(Pipeline.Core.PipelineException), typeof(Pipeline.Remotes.RemoteKinds) }
            .Select(t => t.Assembly.ManifestModule.ModuleVersionId)))))[..16];

    public string this[string relative] => Path.Combine(Root, relative);

    public void Write(string relative, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(this[relative])!);
        File.WriteAllText(this[relative], content);
    }

    /// <summary>Runs git in the repository with an identity of its own, failing the test when git fails.</summary>
    public string Git(params string[] arguments) => TestGit.Run(Root, arguments);

    public void Commit(string message, params string[] paths) => TestGit.Commit(Root, message, paths);

    /// <summary>Asserts that <paramref name="second"/> skipped each of <paramref name="stages"/>, each ran once in all, and Status finds nothing to do.</summary>
    public async Task AssertSkippedAfterOneRunAsync(CakeResult second, params string[] stages)
    {
        foreach (var stage in stages)
        {
            Assert.Contains($"Stage '{stage}' didn't change, skipping", second.Output, StringComparison.Ordinal);
            Assert.Equal(1, Runs(stage));
        }

        var status = await CakeAsync("--target=Status");
        Assert.Contains("Pipeline is up to date.", status.Output, StringComparison.Ordinal);
    }

    public int Runs(string stage) => File.Exists(this[$"runs/{stage}"]) ? File.ReadAllLines(this[$"runs/{stage}"]).Length : 0;

    public Task<CakeResult> CakeAsync(params string[] arguments) => CakeInAsync(Root, arguments);

    /// <summary>Runs <c>dotnet cake</c> in another folder, such as a clone of this repository.</summary>
    public static async Task<CakeResult> CakeInAsync(string folder, params string[] arguments)
    {
        var result = await Command(folder, arguments).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return new CakeResult(result.ExitCode, ConsoleText.Plain(result.StandardOutput + result.StandardError));
    }

    /// <summary>Starts a run in the background; the caller kills it or waits for it.</summary>
    public Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", ["cake", .. arguments])
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NO_COLOR"] = "1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async Task WaitForFileAsync(string relative, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(this[relative]))
        {
            Assert.True(clock.Elapsed < timeout, $"'{relative}' did not appear within {timeout.TotalSeconds}s");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(Root, recursive: true);
    }

    private static Command Command(string folder, string[] arguments) =>
        Cli.Wrap("dotnet")
            .WithArguments(["cake", .. arguments])
            .WithWorkingDirectory(folder)
            .WithEnvironmentVariables(env => env.Set("NO_COLOR", "1"));

    private static string BuildScript(string stages, string run)
    {
        var assemblies = AppContext.BaseDirectory;
        var script = new StringBuilder();
        script.AppendLine($"#r \"{Path.Combine(assemblies, "Pipeline.Core.dll")}\"");
        script.AppendLine($"#r \"{Path.Combine(assemblies, "Pipeline.Cake.dll")}\"");
        script.AppendLine($"#r \"{Path.Combine(assemblies, "Pipeline.Remotes.dll")}\"");
        script.AppendLine("using Pipeline.Cake;");
        script.AppendLine("using Pipeline.Core.Stages;");
        script.AppendLine(stages);
        script.AppendLine(run);
        return script.ToString();
    }
}

public sealed record CakeResult(int ExitCode, string Output)
{
    /// <summary>The line Cake prints for the error that stopped the run.</summary>
    public string ErrorLine => Output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("Error: ", StringComparison.Ordinal)) ?? "";
}
