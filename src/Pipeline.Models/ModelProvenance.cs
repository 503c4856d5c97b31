using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Models;

/// <summary>
/// The git revision a model is trained from, and the time recorded as its creation (a draft's <c>GitRevision</c> and
/// <c>CreatedAt</c>). Under the pipeline they are <c>PIPELINE_SOURCE_REVISION</c> and <c>SOURCE_DATE_EPOCH</c>: the
/// last commit that changed the stage's inputs and its time, so the same inputs give a byte-identical model archive in
/// any clone and on any later commit (also in a training pod, which has no git). Run by hand: HEAD and its commit
/// time; outside git: no revision, and now.
/// </summary>
/// <param name="Revision">The commit, or null outside a git work tree.</param>
/// <param name="CreatedAt">The time to record as the model's creation.</param>
public sealed record ModelProvenance(string? Revision, DateTimeOffset CreatedAt)
{
    /// <summary>The variable the pipeline sets to the commit a stage's inputs come from.</summary>
    public const string RevisionVariable = "PIPELINE_SOURCE_REVISION";

    /// <summary>The reproducible-builds variable for the time to record, in seconds since 1970.</summary>
    public const string TimeVariable = "SOURCE_DATE_EPOCH";

    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads the revision and time from the pipeline's variables, else from the current directory's repository.</summary>
    public static Task<ModelProvenance> DetectAsync(CancellationToken cancellationToken) => DetectAsync(null, cancellationToken);

    /// <summary>Reads the revision and time from the pipeline's variables, else from the repository of <paramref name="directory"/> (null: the current directory).</summary>
    public static async Task<ModelProvenance> DetectAsync(string? directory, CancellationToken cancellationToken)
    {
        var pipelineRevision = Environment.GetEnvironmentVariable(RevisionVariable);
        var revision = string.IsNullOrWhiteSpace(pipelineRevision)
            ? await GitAsync("rev-parse HEAD", directory, cancellationToken).ConfigureAwait(false)
            : pipelineRevision.Trim();
        var epoch = Environment.GetEnvironmentVariable(TimeVariable);
        epoch = string.IsNullOrWhiteSpace(epoch) && revision is not null
            ? await GitAsync("log -1 --format=%ct", directory, cancellationToken).ConfigureAwait(false)
            : epoch;
        var time = long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UtcNow;
        return new ModelProvenance(revision, time);
    }

    private static async Task<string?> GitAsync(string arguments, string? directory, CancellationToken cancellationToken)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory ?? string.Empty,
            });
            if (git is null)
            {
                return null;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(GitTimeout);
            var output = await git.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await git.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return git.ExitCode == 0 && output.Trim().Length > 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git on this machine: the model simply records no revision.
            return null;
        }
    }
}
