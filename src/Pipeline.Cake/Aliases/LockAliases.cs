using Cake.Core;
using Cake.Core.Annotations;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;

namespace Pipeline.Cake;

/// <summary>
/// Records a CI run's results in git, as the reference workflow commits its lock file back to the pull request: the
/// lock file and the stages' metrics files, committed to the branch being built only when they changed. A second run
/// on that commit reproduces nothing new and so commits nothing: a workflow never loops on its own commits. The
/// ready-made <c>CommitLock</c> target is this alias with the command line's options.
/// </summary>
[CakeAliasCategory("Pipeline workspace")]
public static class LockAliases
{
    /// <summary>Commits the lock file and metrics when they differ from HEAD, and pushes the branch when asked.</summary>
    /// <example><code>CommitPipelineLock(stages, new CommitLockSettings { Push = true });</code></example>
    /// <returns>The new commit, or null when there was nothing to commit.</returns>
    /// <exception cref="PipelineException">HEAD is detached and no branch is named, or git refuses; one line.</exception>
    [CakeMethodAlias]
    public static string? CommitPipelineLock(this ICakeContext context, IEnumerable<IStage> stages, CommitLockSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var graph = WorkspaceAliases.GraphOf(stages);
        return PipelineSession.UseAsync(context, async session =>
        {
            var workspace = await session.OpenAsync(context, RunStopping.Token);
            var log = new CakePipelineLog(context.Log);
            var git = new GitRepository(workspace.Root);
            // Checked before committing, so a run that cannot push leaves the branch as it found it.
            var branch = settings.Push
                ? settings.Branch ?? await git.CurrentBranchAsync(RunStopping.Token)
                    ?? throw new PipelineException("CommitLock --push: HEAD is detached; check out the branch to commit to (in a workflow: actions/checkout with ref: github.head_ref) or pass --branch")
                : null;
            List<string> files = [.. new[] { workspace.Settings.LockFile }.Concat(graph.Stages.SelectMany(s => s.Metrics)).Distinct().Where(f => File.Exists(workspace.Resolve(f)))];
            if (files.Count == 0)
            {
                log.Information($"No {workspace.Settings.LockFile} yet (no stage has run): nothing to commit.");
                return null;
            }

            var commit = await git.CommitChangesAsync(files, settings.Message, settings.Author, RunStopping.Token);
            if (commit is null)
            {
                log.Information($"{string.Join(", ", files)}: as committed; nothing to commit.");
                return null;
            }

            log.Information($"Committed {string.Join(", ", files)} as {commit[..12]}");
            if (branch is not null)
            {
                await git.PushAsync(settings.Remote, [$"HEAD:refs/heads/{branch}"], RunStopping.Token);
                log.Information($"Pushed {commit[..12]} to {settings.Remote} {branch}");
            }

            return commit;
        }).GetAwaiter().GetResult();
    }
}

/// <summary>What <see cref="LockAliases.CommitPipelineLock"/> commits as, and where it pushes.</summary>
public sealed record CommitLockSettings
{
    /// <summary>The commit message.</summary>
    public string Message { get; init; } = "Record the pipeline's results: lock file and metrics";

    /// <summary>Who commits; null for git's configured identity (a CI runner has none: give one).</summary>
    public GitIdentity? Author { get; init; }

    /// <summary>Whether to push the commit.</summary>
    public bool Push { get; init; }

    /// <summary>The branch to push to; null for the branch HEAD is on.</summary>
    public string? Branch { get; init; }

    /// <summary>The git remote to push to.</summary>
    public string Remote { get; init; } = "origin";
}
