using System.Diagnostics;
using System.Globalization;

namespace Planets.Ml.Training;

/// <summary>
/// The git revision a model is trained from, and the time recorded as its creation. Under the pipeline they are
/// <c>PIPELINE_SOURCE_REVISION</c> and <c>SOURCE_DATE_EPOCH</c>: the last commit that changed the stage's inputs and
/// its time, so the same inputs give a byte-identical model archive in any clone and on any later commit (also in a
/// training pod, which has no git). Run by hand: HEAD and its commit time; outside git: no revision, and now.
/// </summary>
/// <param name="Revision">The HEAD commit, or null outside a git work tree.</param>
/// <param name="CreatedAt">The time to record as the model's creation.</param>
internal sealed record SourceRevision(string? Revision, DateTimeOffset CreatedAt)
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Reads the revision and time of the current directory's repository.</summary>
    public static async Task<SourceRevision> DetectAsync(CancellationToken cancellationToken)
    {
        var pipelineRevision = Environment.GetEnvironmentVariable("PIPELINE_SOURCE_REVISION");
        var revision = string.IsNullOrWhiteSpace(pipelineRevision)
            ? await GitAsync("rev-parse HEAD", cancellationToken).ConfigureAwait(false)
            : pipelineRevision.Trim();
        var epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        epoch = string.IsNullOrWhiteSpace(epoch) && revision is not null
            ? await GitAsync("log -1 --format=%ct", cancellationToken).ConfigureAwait(false)
            : epoch;
        var time = long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UtcNow;
        return new SourceRevision(revision, time);
    }

    private static async Task<string?> GitAsync(string arguments, CancellationToken cancellationToken)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
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
