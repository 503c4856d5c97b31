using System.Collections.Immutable;
using System.Globalization;
using Pipeline.Core.Git;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Execution;

/// <summary>
/// The environment a stage's command gets besides the pipeline's own: the last commit that changed the stage's
/// dependencies as <c>PIPELINE_SOURCE_REVISION</c>, and its time as <c>SOURCE_DATE_EPOCH</c> (the reproducible-builds
/// convention). They depend on the inputs only, not on HEAD nor on the clone's depth (a shallow clone fetches the
/// history it lacks), so a program that records "built from" in its outputs writes the same bytes for the same
/// inputs in any clone, on any later commit.
/// </summary>
public static class StageEnvironment
{
    /// <summary>The variable holding the source revision.</summary>
    public const string SourceRevision = "PIPELINE_SOURCE_REVISION";

    /// <summary>The variable holding the source time, in seconds since the Unix epoch.</summary>
    public const string SourceDateEpoch = "SOURCE_DATE_EPOCH";

    /// <summary>
    /// The variables for <paramref name="stage"/> in the repository at <paramref name="root"/>; empty outside git,
    /// where the variables the process inherited (a training pod's, say) apply unchanged.
    /// </summary>
    /// <exception cref="PipelineException">A shallow clone lacks the history that answers, and fetching it failed.</exception>
    public static async Task<ImmutableDictionary<string, string>> ForAsync(StageDefinition stage, string root, IPipelineLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(log);
        SourceCommit? commit;
        try
        {
            commit = await new GitRepository(root).LastCommitTouchingAsync(
                stage.Dependencies, what => log.Information($"Shallow clone: fetching {what} to find the commit that last changed stage '{stage.Name}''s dependencies"), cancellationToken);
        }
        catch (PipelineException e)
        {
            throw new PipelineException($"stage '{stage.Name}': {e.Message}", e);
        }

        return commit is null
            ? ImmutableDictionary<string, string>.Empty
            : ImmutableDictionary<string, string>.Empty
                .Add(SourceRevision, commit.Sha)
                .Add(SourceDateEpoch, commit.Time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
    }
}
