using Cake.Core;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;

namespace Pipeline.Cake;

/// <summary>The <c>CommitLock</c> target: <see cref="LockAliases.CommitPipelineLock"/> with the command line's options.</summary>
internal static class CommitTasks
{
    public static void Register(Func<string, CakeTaskBuilder> task, IReadOnlyList<IStage> stages) =>
        task("CommitLock")
            .Description("Commits the lock file and metrics when a run changed them (--author=\"Name <email>\", --message=TEXT; --push [--branch=NAME] pushes the branch)")
            .Does(context =>
            {
                var options = new TargetOptions(context);
                var defaults = new CommitLockSettings();
                context.CommitPipelineLock(stages, new CommitLockSettings
                {
                    Message = options.Text("message", fallback: defaults.Message)!,
                    Author = options.Text("author") is { } author ? GitIdentity.Parse(author, "--author") : null,
                    Push = options.Flag("push"),
                    Branch = options.Text("branch"),
                });
            });
}
