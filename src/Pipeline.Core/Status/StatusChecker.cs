using System.Collections.Immutable;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Parameters;
using Pipeline.Core.Stages;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Status;

/// <summary>Compares a stage's command, dependencies, parameters and outputs with what the lock file recorded.</summary>
/// <param name="workTree">Where the stage's paths are.</param>
/// <param name="hasher">Hashes them, through the state database.</param>
public sealed class StatusChecker(WorkTree workTree, ContentHasher hasher)
{
    /// <summary>The status of <paramref name="stage"/> against <paramref name="recorded"/>.</summary>
    /// <exception cref="PipelineException">A declared parameter is not defined.</exception>
    public async Task<StageStatus> CheckAsync(
        StageDefinition stage, StageLock? recorded, ParameterSet parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(parameters);
        var dependencies = await HashExistingAsync(stage.Dependencies, cancellationToken);
        var current = new StageLock(
            stage.Command.ToString(),
            dependencies,
            parameters.Select(stage.Name, stage.Parameters),
            recorded?.Outputs ?? []);

        var changes = ImmutableArray.CreateBuilder<StageChange>();
        changes.AddRange(MissingDependencies(stage, dependencies));
        if (recorded is null)
        {
            changes.Add(new NeverRan());
            return new StageStatus(stage, changes.ToImmutable(), current);
        }

        if (recorded.Command != current.Command)
        {
            changes.Add(new CommandChanged(recorded.Command, current.Command));
        }

        changes.AddRange(await CompareDependenciesAsync(recorded.Dependencies, dependencies, cancellationToken));
        changes.AddRange(CompareParameters(recorded.Parameters, current.Parameters));
        changes.AddRange(CompareDeclaredOutputs(stage, recorded.Outputs));
        changes.AddRange(await CompareOutputsAsync(recorded.Outputs, cancellationToken));
        return new StageStatus(stage, changes.ToImmutable(), current);
    }

    /// <summary>Hashes the paths that exist, sorted by path.</summary>
    public async Task<ImmutableArray<PathState>> HashExistingAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var states = ImmutableArray.CreateBuilder<PathState>();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            if (workTree.Exists(path))
            {
                var hashed = await hasher.HashAsync(workTree.Resolve(path), cancellationToken);
                states.Add(new PathState(path, hashed.Info));
            }
        }

        return states.ToImmutable();
    }

    private static IEnumerable<StageChange> MissingDependencies(StageDefinition stage, ImmutableArray<PathState> present) =>
        stage.Dependencies
            .Where(path => !present.Any(p => p.Path == path))
            .Select(path => new DependencyChanged(path, "missing"));

    private async Task<IEnumerable<StageChange>> CompareDependenciesAsync(
        ImmutableArray<PathState> recorded, ImmutableArray<PathState> current, CancellationToken cancellationToken)
    {
        var changes = new List<StageChange>();
        foreach (var dependency in current)
        {
            var old = recorded.FirstOrDefault(r => r.Path == dependency.Path);
            if (old is null)
            {
                changes.Add(new DependencyChanged(dependency.Path, "added"));
            }
            else if (!await StillHoldsAsync(old, dependency.Content.Hash, cancellationToken))
            {
                changes.Add(new DependencyChanged(dependency.Path, "modified"));
            }
        }

        changes.AddRange(recorded.Where(r => !current.Any(c => c.Path == r.Path)).Select(old => new DependencyChanged(old.Path, "removed")));
        return changes;
    }

    // A record made with another algorithm than the repository's now (before the repository switched) is compared by
    // the algorithm that made it: a switch must not make every stage run again. The state database keeps both hashes.
    private async Task<bool> StillHoldsAsync(PathState recorded, ContentHash now, CancellationToken cancellationToken)
    {
        var hash = now.Algorithm == recorded.Content.Hash.Algorithm
            ? now
            : (await hasher.HashAsync(workTree.Resolve(recorded.Path), recorded.Content.Hash.Algorithm, cancellationToken)).Info.Hash;
        return hash == recorded.Content.Hash;
    }

    private static IEnumerable<StageChange> CompareParameters(
        ImmutableSortedDictionary<string, ParameterValue> recorded, ImmutableSortedDictionary<string, ParameterValue> current)
    {
        foreach (var key in recorded.Keys.Union(current.Keys).Order(StringComparer.Ordinal))
        {
            var old = recorded.GetValueOrDefault(key);
            var now = current.GetValueOrDefault(key);
            if (!Equals(old, now))
            {
                yield return new ParameterChanged(key, old?.ToString(), now?.ToString());
            }
        }
    }

    private static IEnumerable<StageChange> CompareDeclaredOutputs(StageDefinition stage, ImmutableArray<PathState> recorded)
    {
        var declared = stage.AllOutputs.ToHashSet(StringComparer.Ordinal);
        var had = recorded.Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
        return declared.Except(had).Select(path => new OutputDeclarationChanged(path, "added"))
            .Concat(had.Except(declared).Select(path => new OutputDeclarationChanged(path, "removed")));
    }

    private async Task<IEnumerable<StageChange>> CompareOutputsAsync(ImmutableArray<PathState> recorded, CancellationToken cancellationToken)
    {
        var changes = new List<StageChange>();
        foreach (var output in recorded)
        {
            if (!workTree.Exists(output.Path))
            {
                changes.Add(new OutputChanged(output.Path, "missing"));
                continue;
            }

            var hashed = await hasher.HashAsync(workTree.Resolve(output.Path), output.Content.Hash.Algorithm, cancellationToken);
            if (hashed.Info.Hash != output.Content.Hash)
            {
                changes.Add(new OutputChanged(output.Path, "modified"));
            }
        }

        return changes;
    }
}
