using System.Collections.Immutable;
using Pipeline.Core.Stages;

namespace Pipeline.Core.Graph;

/// <summary>
/// The stages and the edges that follow from outputs feeding dependencies; built only from a valid pipeline:
/// unique stage names, no output written by two stages, no cycle.
/// </summary>
public sealed class PipelineGraph
{
    private readonly ImmutableDictionary<string, ImmutableArray<string>> upstream;

    private PipelineGraph(ImmutableArray<StageDefinition> stages, ImmutableDictionary<string, ImmutableArray<string>> upstream)
    {
        Stages = stages;
        this.upstream = upstream;
    }

    /// <summary>Every stage, in an order where each comes after the stages it depends on (ties in declaration order).</summary>
    public ImmutableArray<StageDefinition> Stages { get; }

    /// <summary>Validates the stages and builds their graph.</summary>
    /// <exception cref="PipelineException">Names repeat, a data plot is malformed, two stages write one output, or the stages form a cycle.</exception>
    public static PipelineGraph Build(IEnumerable<StageDefinition> stages)
    {
        var declared = stages.ToImmutableArray();
        RejectDuplicateNames(declared);
        RejectInvalidPlots(declared);
        var producers = ProducersByOutput(declared);
        var upstream = declared.ToImmutableDictionary(
            stage => stage.Name,
            stage => stage.Dependencies
                .SelectMany(dependency => producers.Where(p => Overlaps(dependency, p.Key)).Select(p => p.Value))
                .Where(name => name != stage.Name)
                .Distinct()
                .ToImmutableArray());
        RejectSelfFeeding(declared, producers);
        return new PipelineGraph(TopologicalOrder(declared, upstream), upstream);
    }

    /// <summary>The stage named <paramref name="name"/>.</summary>
    /// <exception cref="PipelineException">No stage has that name.</exception>
    public StageDefinition Find(string name) =>
        Stages.FirstOrDefault(s => s.Name == name)
        ?? throw new PipelineException($"unknown stage '{name}'; the stages are: {string.Join(", ", Stages.Select(s => s.Name))}");

    /// <summary>The names of the stages whose outputs <paramref name="stage"/> reads directly.</summary>
    public ImmutableArray<string> UpstreamOf(string stage) => upstream[stage];

    /// <summary>
    /// <paramref name="stage"/> and every stage it depends on, directly or not, in run order.
    /// </summary>
    public ImmutableArray<StageDefinition> WithUpstream(string stage) => Closure(Find(stage).Name, UpstreamOf);

    private ImmutableArray<StageDefinition> Closure(string start, Func<string, ImmutableArray<string>> next)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([start]);
        while (pending.TryPop(out var name))
        {
            if (needed.Add(name))
            {
                foreach (var neighbour in next(name))
                {
                    pending.Push(neighbour);
                }
            }
        }

        return [.. Stages.Where(s => needed.Contains(s.Name))];
    }

    /// <summary>The names of the stages that read <paramref name="stage"/>'s outputs directly, in run order.</summary>
    public ImmutableArray<string> DownstreamOf(string stage) =>
        [.. Stages.Where(s => upstream[s.Name].Contains(stage)).Select(s => s.Name)];

    /// <summary><paramref name="stage"/> and every stage that reads its outputs, directly or not, in run order.</summary>
    /// <exception cref="PipelineException">No stage has that name.</exception>
    public ImmutableArray<StageDefinition> WithDownstream(string stage) => Closure(Find(stage).Name, DownstreamOf);

    /// <summary>Whether two repository paths are the same or one lies inside the other.</summary>
    public static bool Overlaps(string a, string b) =>
        a == b || a.StartsWith(b + "/", StringComparison.Ordinal) || b.StartsWith(a + "/", StringComparison.Ordinal);

    private static void RejectDuplicateNames(ImmutableArray<StageDefinition> stages)
    {
        var repeated = stages.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new PipelineException($"two stages are named '{repeated.Key}'; stage names must be unique");
        }
    }

    private static void RejectInvalidPlots(ImmutableArray<StageDefinition> stages)
    {
        foreach (var (stage, plot) in stages.SelectMany(s => s.DataPlots.Select(p => (s.Name, p))))
        {
            var extension = Path.GetExtension(plot.Path).ToLowerInvariant();
            if (!DataPlot.DataExtensions.Contains(extension))
            {
                throw new PipelineException($"stage '{stage}': data plot '{plot.Path}' must be a {string.Join(", ", DataPlot.DataExtensions)} file");
            }

            if (plot.Y.IsDefaultOrEmpty || string.IsNullOrWhiteSpace(plot.X) || plot.Y.Any(string.IsNullOrWhiteSpace))
            {
                throw new PipelineException($"stage '{stage}': data plot '{plot.DisplayTitle}' needs an x field and at least one y field");
            }
        }
    }

    private static Dictionary<string, string> ProducersByOutput(ImmutableArray<StageDefinition> stages)
    {
        var producers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            foreach (var output in stage.AllOutputs)
            {
                var clash = producers.FirstOrDefault(p => Overlaps(p.Key, output));
                if (clash.Key is not null)
                {
                    throw new PipelineException(
                        $"stages '{clash.Value}' and '{stage.Name}' both write '{(clash.Key.Length <= output.Length ? clash.Key : output)}'; an output belongs to one stage");
                }

                producers[output] = stage.Name;
            }
        }

        return producers;
    }

    private static void RejectSelfFeeding(ImmutableArray<StageDefinition> stages, Dictionary<string, string> producers)
    {
        foreach (var stage in stages)
        {
            var own = stage.Dependencies.FirstOrDefault(d => producers.Any(p => p.Value == stage.Name && Overlaps(d, p.Key)));
            if (own is not null)
            {
                throw new PipelineException($"cycle in the pipeline: stage '{stage.Name}' depends on its own output '{own}'");
            }
        }
    }

    private static ImmutableArray<StageDefinition> TopologicalOrder(
        ImmutableArray<StageDefinition> stages, ImmutableDictionary<string, ImmutableArray<string>> upstream)
    {
        var order = new List<StageDefinition>(stages.Length);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the current path, true: done
        var byName = stages.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            Visit(stage.Name, []);
        }

        return [.. order];

        void Visit(string name, ImmutableList<string> path)
        {
            if (state.TryGetValue(name, out var done))
            {
                if (!done)
                {
                    var cycle = path.SkipWhile(n => n != name).Append(name);
                    throw new PipelineException($"cycle in the pipeline: {string.Join(" -> ", cycle)} (each stage reads the output of the next)");
                }

                return;
            }

            state[name] = false;
            foreach (var parent in upstream[name])
            {
                Visit(parent, path.Add(name));
            }

            state[name] = true;
            order.Add(byName[name]);
        }
    }
}
