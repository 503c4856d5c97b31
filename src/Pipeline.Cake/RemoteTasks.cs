using Cake.Core;

namespace Pipeline.Cake;

/// <summary>
/// The data-remote targets, as DVC users know them: <c>Push</c>, <c>Pull</c>, <c>Fetch</c>, <c>RemoteStatus</c> and
/// <c>RemoteGc</c>, each the matching <see cref="DataRemoteAliases"/> alias with the command line's options:
/// <c>--remote=NAME</c>, <c>--jobs=N</c>, and for <c>RemoteGc</c> <c>--dry-run</c> and the scope
/// (<c>--all-branches</c>, <c>--all-tags</c>, <c>--all-commits</c>: what those revisions refer to is kept too).
/// </summary>
internal static class RemoteTasks
{
    /// <summary>Registers the targets; the aliases they call share the run's session (one repository lock per run).</summary>
    public static void Register(Func<string, CakeTaskBuilder> task, PipelineSession session)
    {
        task("Push").Description("Sends the cache objects of pipeline.lock outputs and .ptr files to a remote (--remote=NAME, --jobs=N)")
            .Does(context => context.PushData(RemoteOptions.From(context).Settings));
        task("Fetch").Description("Brings the cache objects of pipeline.lock outputs and .ptr files from a remote into the cache (--remote=NAME, --jobs=N)")
            .Does(context => context.FetchData(RemoteOptions.From(context).Settings));
        task("Pull").Description("Fetch, then check out: makes outputs and tracked data match pipeline.lock and the .ptr files (--remote=NAME, --jobs=N)")
            .Does(context => context.PullData(RemoteOptions.From(context).Settings));
        task("RemoteStatus").Description("Shows which referenced objects are only in the local cache, only on the remote, or in neither (--remote=NAME)")
            .Does(context => context.DataRemoteStatus(RemoteOptions.From(context).Settings));
        task("RemoteGc").Description("Removes remote objects that the workspace does not refer to (--remote=NAME, --dry-run; --all-branches, --all-tags, --all-commits keep theirs too)")
            .Does(context =>
            {
                var options = RemoteOptions.From(context);
                context.DataRemoteGc(new DataRemoteGcSettings { Remote = options.Remote, Jobs = options.Jobs, DryRun = options.DryRun, Scope = session.Options.Scope });
            });
    }
}
