using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Core.Diffs;
using Pipeline.Core.Git;
using Pipeline.Core.Maintenance;
using Pipeline.Core.Workspace;

namespace Pipeline.Benchmarks;

/// <summary>
/// <c>MetricsShow --all-commits</c> over a history of many commits, each changing the metrics: the metrics read through
/// one <c>git cat-file --batch</c>, against the baseline of reading each commit's lock file and metrics with a
/// <c>git show</c> each, as a diff against one revision does.
/// </summary>
internal static class MetricsHistoryBenchmark
{
    private const string Metrics = "metrics.json";

    public static async Task RunAsync(string work, int repeats, int commits)
    {
        var root = Path.Combine(work, "history");
        await CreateHistoryAsync(root, commits);
        var git = new GitRepository(root);
        await using var workspace = await PipelineWorkspace.OpenAsync(root, new PipelineSettings(), CancellationToken.None);
        var diff = new RevisionDiff(workspace, git, new SilentLog());
        var scope = new ReferenceScope(AllCommits: true);

        var rows = 0;
        var batched = await Measure.MedianAsync(repeats, async () => rows = (await diff.MetricsHistoryAsync(scope, [Metrics], CancellationToken.None)).Count);
        var perCommit = await Measure.MedianAsync(repeats, async () =>
        {
            foreach (var commit in await git.CommitsAsync(branches: false, tags: false, allCommits: true, CancellationToken.None))
            {
                await git.ShowAsync(commit, workspace.Settings.LockFile, CancellationToken.None);
                MetricsFile.Parse(await git.ShowAsync(commit, Metrics, CancellationToken.None) ?? "{}", Metrics);
            }
        });

        Console.WriteLine($"metrics history: {commits:N0} commits ({rows:N0} rows), median of {repeats}");
        Console.WriteLine($"  one git cat-file --batch      {Measure.Ms(batched)}");
        Console.WriteLine($"  git show per file (baseline)  {Measure.Ms(perCommit)}");
        Console.WriteLine($"  speed-up                      {perCommit / batched:0.0}x");
    }

    // git fast-import writes the whole history in one process: each commit a new metrics.json, on the last.
    private static async Task CreateHistoryAsync(string root, int commits)
    {
        Directory.CreateDirectory(root);
        await GitAsync(root, null, "init", "--quiet", "--initial-branch=main");
        var stream = new StringBuilder();
        for (var i = 1; i <= commits; i++)
        {
            var metrics = string.Create(CultureInfo.InvariantCulture, $"{{\"val_acc\": {i / (double)(commits + 1):0.0000}, \"val_loss\": {1.0 / i:0.0000}}}\n");
            stream.Append(CultureInfo.InvariantCulture, $"commit refs/heads/main\ncommitter Bench <bench@example.com> {1_700_000_000 + i} +0000\ndata <<END\nrun {i}\nEND\n");
            stream.Append(CultureInfo.InvariantCulture, $"M 644 inline {Metrics}\ndata {Encoding.UTF8.GetByteCount(metrics)}\n{metrics}\n");
        }

        await GitAsync(root, stream.ToString(), "fast-import", "--quiet");
        await GitAsync(root, null, "checkout", "--quiet", "main");
    }

    private static async Task GitAsync(string root, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments) { WorkingDirectory = root, RedirectStandardInput = input is not null };
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} exited with {process.ExitCode}");
        }
    }
}
