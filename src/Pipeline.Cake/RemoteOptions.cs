using Cake.Core;
using Pipeline.Core;

namespace Pipeline.Cake;

/// <summary>The command-line options of the remote targets.</summary>
/// <param name="Remote"><c>--remote=NAME</c>: the remote to use; the configured default when null.</param>
/// <param name="Jobs"><c>--jobs=N</c>: objects moved at once; the remote's <c>jobs:</c> or 4 per core when null.</param>
/// <param name="DryRun"><c>--dry-run</c>: <c>RemoteGc</c> only says what it would remove.</param>
/// <param name="Pull"><c>--pull</c>: <c>Repro</c> fetches each stage's missing dependencies and outputs first.</param>
public sealed record RemoteOptions(string? Remote, int? Jobs, bool DryRun, bool Pull)
{
    /// <summary>Reads the options from Cake's arguments.</summary>
    /// <exception cref="PipelineException">An option has a value of the wrong form.</exception>
    public static RemoteOptions From(ICakeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = new TargetOptions(context);
        var jobs = options.Number("jobs", null, 0, minimum: 1);
        return new RemoteOptions(options.Text("remote"), jobs == 0 ? null : jobs, options.Flag("dry-run"), options.Flag("pull"));
    }

    /// <summary>The remote and jobs as the data aliases take them.</summary>
    public DataRemoteSettings Settings => new() { Remote = Remote, Jobs = Jobs };
}
