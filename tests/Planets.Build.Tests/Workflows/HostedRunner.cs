using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Planets.Build.Tests.Workflows;

/// <summary>
/// Runs a job's planned steps as a GitHub-hosted ubuntu runner would: as an unprivileged user with passwordless sudo,
/// each <c>run:</c> step in <c>bash --noprofile --norc -eo pipefail</c> in a fresh checkout, with the runner's
/// variables (GITHUB_*, an event file, a step summary file). The <c>uses:</c> steps are replaced by what they do on a
/// runner: checkout clones the origin at the step's depth and ref (a pull request's merge ref by default),
/// setup-dotnet is the installed SDK, cache restores and saves a folder, k8s-set-context writes the kubeconfig and
/// points KUBECONFIG at it for the later steps; any other action is refused.
/// </summary>
/// <remarks>
/// Needs root: it creates the user, its sudoers entry and its membership of the <c>docker</c> group (whose members
/// may use a Docker engine's socket), as the hosted image has them.
/// </remarks>
internal sealed class HostedRunner : IDisposable
{
    /// <summary>The runner's user, as the hosted image's <c>runner</c>.</summary>
    public const string User = "pipeline-runner";

    private const string Home = "/home/" + User;
    private static readonly Dictionary<string, string> NoVariables = [];
    private static readonly string NuGetSeed = Path.Combine(Path.GetTempPath(), "hosted-runner-nuget");
    private readonly StringBuilder log = new();
    private readonly string cacheStore;

    private HostedRunner(string workspace, string temp, string cacheStore)
    {
        Workspace = workspace;
        Temp = temp;
        this.cacheStore = cacheStore;
    }

    /// <summary>The checkout (GITHUB_WORKSPACE).</summary>
    public string Workspace { get; }

    /// <summary>The job's summary file (GITHUB_STEP_SUMMARY).</summary>
    public string Summary => Path.Combine(Temp, "step-summary.md");

    /// <summary>The files the job uploaded as artifacts, by artifact name and file name, as a reader downloads them.</summary>
    public Dictionary<string, byte[]> Artifacts { get; } = [];

    /// <summary>Every step's name and output, in order.</summary>
    public string Log => log.ToString();

    private string Temp { get; }

    /// <summary>
    /// A runner with a fresh, empty workspace whose cache action keeps its folders in <paramref name="cacheStore"/>
    /// (the repository's cache on GitHub), holding the NuGet packages of the user running the tests as an earlier
    /// run would have saved them; the user is created the first time.
    /// </summary>
    public static async Task<HostedRunner> StartAsync(string cacheStore)
    {
        Assert.True(Environment.UserName == "root", "the hosted-runner tests create a user with sudo, which needs root (scripts/test.sh runs the tests as root)");
        if ((await ExecAsync("id", ["-u", User])).ExitCode != 0)
        {
            await RunCheckedAsync("useradd", ["--create-home", "--shell", "/bin/bash", User]);
        }

        if ((await ExecAsync("getent", ["group", "docker"])).ExitCode != 0)
        {
            await RunCheckedAsync("groupadd", ["--system", "docker"]);
        }

        await RunCheckedAsync("usermod", ["--append", "--groups", "docker", User]);
        await File.WriteAllTextAsync($"/etc/sudoers.d/{User}", $"{User} ALL=(ALL) NOPASSWD:ALL\n");
        File.SetUnixFileMode($"/etc/sudoers.d/{User}", UnixFileMode.UserRead | UnixFileMode.GroupRead);
        // A hosted runner starts with an empty home: what an earlier job left (packages, the SDK's state) is gone.
        await RunCheckedAsync("rm", ["-rf", $"{Home}/.nuget", $"{Home}/.dotnet"]);
        var run = Path.Combine(Home, "work", Guid.NewGuid().ToString("N"));
        var runner = new HostedRunner(Path.Combine(run, "planets"), Path.Combine(run, "_temp"), cacheStore);
        await runner.AsUserAsync($"mkdir -p '{runner.Temp}' && touch '{runner.Summary}'", Home, NoVariables);
        await runner.SeedNuGetAsync();
        return runner;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> in order; after one fails, only those that run always. When none failed, saves the
    /// caches they restored.
    /// </summary>
    /// <returns>Whether every step succeeded.</returns>
    /// <param name="steps">The job's planned steps.</param>
    /// <param name="github">The <c>github</c> context the steps were planned with.</param>
    /// <param name="origin">The repository checkout clones.</param>
    /// <param name="machine">
    /// The runner machine's own variables (GITHUB_API_URL, say) and files written into the workspace after checkout
    /// (a remote's endpoint in the git-ignored .pipeline/config.local): what differs from a hosted runner here.
    /// </param>
    /// <param name="replaceRun">A different script for a <c>run:</c> step, or null to run it as written.</param>
    public async Task<bool> RunAsync(
        IReadOnlyList<PlannedStep> steps, JsonObject github, string origin, RunnerMachine machine, Func<PlannedStep, string?>? replaceRun = null)
    {
        var eventFile = Path.Combine(Temp, "event.json");
        await File.WriteAllTextAsync(eventFile, github["event"]!.ToJsonString());
        var variables = new Dictionary<string, string>
        {
            ["CI"] = "true",
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["GITHUB_EVENT_NAME"] = (string)github["event_name"]!,
            ["GITHUB_EVENT_PATH"] = eventFile,
            ["GITHUB_STEP_SUMMARY"] = Summary,
            ["GITHUB_REPOSITORY"] = (string)github["repository"]!,
            ["GITHUB_REF"] = (string)github["ref"]!,
            ["GITHUB_SHA"] = (string)github["sha"]!,
            ["GITHUB_RUN_ID"] = (string)github["run_id"]!,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["RUNNER_OS"] = "Linux",
            ["RUNNER_TEMP"] = Temp,
        };
        foreach (var (key, value) in machine.Variables)
        {
            variables[key] = value;
        }

        var saves = new List<(string Path, string Key)>();
        var failed = false;
        foreach (var step in steps)
        {
            if (failed && !step.Always)
            {
                log.Append($"== {step.Name} (skipped: an earlier step failed)\n");
                continue;
            }

            log.Append($"== {step.Name}\n");
            var ok = step.Uses switch
            {
                null => await RunStepAsync(replaceRun?.Invoke(step) ?? step.Run!, step.Environment, variables),
                var uses when uses.StartsWith("actions/checkout@", StringComparison.Ordinal) => await CheckoutAsync(step, origin, github) && await WriteFilesAsync(machine.Files),
                var uses when uses.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) => true,
                var uses when uses.StartsWith("actions/cache@", StringComparison.Ordinal) => await RestoreCacheAsync(step, saves),
                var uses when uses.StartsWith("azure/k8s-set-context@", StringComparison.Ordinal) => await SetKubernetesContextAsync(step, variables),
                var uses when uses.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) => UploadArtifact(step),
                var uses => throw new NotSupportedException($"no local equivalent of {uses}"),
            };
            failed |= !ok;
        }

        // actions/cache saves in its post step only when the job succeeded.
        if (failed)
        {
            return false;
        }

        foreach (var (path, key) in saves)
        {
            await SaveCacheAsync(path, key);
        }

        return true;
    }

    /// <summary>Deletes the job's folder (workspace and temp), as the runner does after the job.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Path.GetDirectoryName(Workspace)))
        {
            Directory.Delete(Path.GetDirectoryName(Workspace)!, recursive: true);
        }
    }

    /// <summary>Runs a command as the runner's user in the workspace; its output goes to the log.</summary>
    public Task<(int ExitCode, string Output)> AsUserAsync(string script) => AsUserAsync(script, Workspace, NoVariables);

    private async Task<bool> RunStepAsync(string script, IReadOnlyDictionary<string, string> stepEnvironment, Dictionary<string, string> variables)
    {
        var environment = new Dictionary<string, string>(variables);
        foreach (var (key, value) in stepEnvironment)
        {
            environment[key] = value;
        }

        var (exitCode, _) = await AsUserAsync(script, Workspace, environment);
        return exitCode == 0;
    }

    // actions/checkout: the origin cloned at the step's depth (0: everything), then the step's ref, or for a pull
    // request its merge ref, as GITHUB_REF names it.
    private async Task<bool> CheckoutAsync(PlannedStep step, string origin, JsonObject github)
    {
        var depth = step.With.GetValueOrDefault("fetch-depth", "1");
        var reference = step.With.GetValueOrDefault("ref") is { Length: > 0 } named ? named : (string)github["ref"]!;
        var shallow = depth == "0" ? string.Empty : $"--depth {depth} ";
        var branch = reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..] : reference;
        var checkout = branch.StartsWith("refs/", StringComparison.Ordinal)
            ? $"git fetch --quiet {shallow}origin '{branch}' && git checkout --quiet --detach FETCH_HEAD"
            : $"git checkout --quiet -B '{branch}' 'origin/{branch}'";
        var (exitCode, _) = await AsUserAsync(
            $"git clone --quiet --no-checkout {shallow}'{origin}' '{Workspace}' && cd '{Workspace}' && {checkout}", Home, NoVariables);
        return exitCode == 0;
    }

    // azure/k8s-set-context with method kubeconfig: the secret's text in a file of the runner's temp folder, and
    // KUBECONFIG naming it in the environment of every later step (the action exports it through GITHUB_ENV).
    private async Task<bool> SetKubernetesContextAsync(PlannedStep step, Dictionary<string, string> variables)
    {
        if (step.With.GetValueOrDefault("method", "kubeconfig") != "kubeconfig" || step.With.GetValueOrDefault("kubeconfig") is not { Length: > 0 } text)
        {
            log.Append("k8s-set-context: only method kubeconfig with a kubeconfig is replaced here\n");
            return false;
        }

        var file = Path.Combine(Temp, $"kubeconfig_{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        await File.WriteAllTextAsync(file, text);
        await RunCheckedAsync("chown", [$"{User}:{User}", file]);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        variables["KUBECONFIG"] = file;
        return true;
    }

    // actions/upload-artifact of one file: kept as the run's artifact (the action fails a step whose file is missing
    // only with if-no-files-found: error; a warning is its default, as here).
    private bool UploadArtifact(PlannedStep step)
    {
        var file = Path.Combine(Workspace, step.With["path"]);
        if (File.Exists(file))
        {
            Artifacts[$"{step.With["name"]}/{Path.GetFileName(file)}"] = File.ReadAllBytes(file);
        }
        else
        {
            log.Append($"upload-artifact: no files were found with the provided path: {step.With["path"]}\n");
        }

        return true;
    }

    private async Task<bool> WriteFilesAsync(IReadOnlyDictionary<string, string> files)
    {
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(Workspace, path);
            await AsUserAsync($"mkdir -p '{Path.GetDirectoryName(full)}'", Workspace, NoVariables);
            await File.WriteAllTextAsync(full, text);
            await RunCheckedAsync("chown", [$"{User}:{User}", full]);
        }

        return true;
    }

    // actions/cache: the newest saved folder under the exact key, else under the first restore-key prefix that has
    // one; saved after the job under the key unless it was restored from it.
    private async Task<bool> RestoreCacheAsync(PlannedStep step, List<(string Path, string Key)> saves)
    {
        var path = step.With["path"].Replace("~", Home, StringComparison.Ordinal);
        path = Path.IsPathRooted(path) ? path : Path.Combine(Workspace, path);
        var key = step.With["key"];
        var prefixes = step.With.GetValueOrDefault("restore-keys", string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var hit = Directory.Exists(Entry(key)) ? Entry(key) : prefixes
            .Select(prefix => Directory.Exists(cacheStore) ? Directory.GetDirectories(cacheStore).Where(d => Path.GetFileName(d).StartsWith(Name(prefix), StringComparison.Ordinal)).OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault() : null)
            .FirstOrDefault(d => d is not null);
        if (hit is not null)
        {
            // Made by the user, as the cache action makes it: a parent made by root would lock the user out of it.
            await AsUserAsync($"mkdir -p '{path}'", Home, NoVariables);
            await RunCheckedAsync("cp", ["-al", $"{hit}/.", path]);
            await RunCheckedAsync("chown", ["-R", $"{User}:{User}", path]);
            log.Append($"cache restored from {Path.GetFileName(hit)}\n");
        }

        if (hit != Entry(key))
        {
            saves.Add((path, key));
        }

        return true;
    }

    private async Task SaveCacheAsync(string path, string key)
    {
        if (Directory.Exists(path) && !Directory.Exists(Entry(key)))
        {
            // Linked, not copied: the runner never changes a file it cached (NuGet's packages, content-addressed objects).
            var staging = Entry(key) + ".saving";
            await RunCheckedAsync("cp", ["-al", path, staging]);
            Directory.Move(staging, Entry(key));
        }
    }

    private string Entry(string key) => Path.Combine(cacheStore, Name(key));

    private static string Name(string key) => key.Replace('/', '_');

    /// <summary>Gives <paramref name="path"/> to the runner's user, for a repository it reads as a remote (git refuses another user's).</summary>
    public static Task GiveToUserAsync(string path) => RunCheckedAsync("chown", ["-R", $"{User}:{User}", path]);

    // Copied once per machine, then linked into each store: the packages are gigabytes.
    private async Task SeedNuGetAsync()
    {
        if (!Directory.Exists(NuGetSeed))
        {
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            await RunCheckedAsync("cp", ["-a", packages, NuGetSeed + ".copying"]);
            Directory.Move(NuGetSeed + ".copying", NuGetSeed);
        }

        if (!Directory.Exists(Entry("nuget-Linux-earlier-run")))
        {
            Directory.CreateDirectory(cacheStore);
            await RunCheckedAsync("cp", ["-al", NuGetSeed, Entry("nuget-Linux-earlier-run")]);
        }
    }

    private async Task<(int ExitCode, string Output)> AsUserAsync(string script, string directory, IReadOnlyDictionary<string, string> environment)
    {
        // env -i: the runner's variables only, as a fresh runner process has them; PATH with the SDK's folder.
        List<string> arguments = ["-u", User, "-H", "env", "-i", $"HOME={Home}", $"USER={User}", "LANG=C.UTF-8",
            "PATH=/usr/share/dotnet:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "DOTNET_NOLOGO=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1", .. environment.Select(kv => $"{kv.Key}={kv.Value}"),
            "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script];
        var result = await ExecAsync("sudo", arguments, directory);
        log.Append(result.Output);
        return result;
    }

    private static async Task RunCheckedAsync(string program, IReadOnlyList<string> arguments)
    {
        var (exitCode, output) = await ExecAsync(program, arguments);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)}: {output}");
    }

    private static async Task<(int ExitCode, string Output)> ExecAsync(string program, IReadOnlyList<string> arguments, string? directory = null)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory ?? Path.GetTempPath() };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = process.StandardError.ReadToEndAsync();
        output.Append(await process.StandardOutput.ReadToEndAsync());
        await process.WaitForExitAsync();
        output.Append(await error);
        return (process.ExitCode, output.ToString());
    }
}

/// <summary>What a test's runner machine has that a hosted runner's would not: variables and local files.</summary>
/// <param name="Variables">Extra variables of every step.</param>
/// <param name="Files">Files written into the workspace after checkout, by path.</param>
internal sealed record RunnerMachine(IReadOnlyDictionary<string, string> Variables, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>A machine with nothing of its own.</summary>
    public static RunnerMachine Plain { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());
}
