using System.Collections.Immutable;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Core.Parameters;

/// <summary>
/// The parameters of <c>params.yaml</c>, flattened to dotted keys (<c>train.epochs</c>); lists are values, not sections.
/// </summary>
public sealed class ParameterSet
{
    private readonly ImmutableSortedDictionary<string, ParameterValue> values;

    private ParameterSet(string source, ImmutableSortedDictionary<string, ParameterValue> values)
    {
        Source = source;
        this.values = values;
    }

    /// <summary>The file the parameters came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Every key and value, sorted by key.</summary>
    public IReadOnlyDictionary<string, ParameterValue> Values => values;

    /// <summary>Reads <paramref name="path"/>; a missing file is an empty set.</summary>
    /// <exception cref="PipelineException">The file is not valid YAML or not a mapping of parameter names.</exception>
    public static async Task<ParameterSet> LoadAsync(string path, string displayName, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return new ParameterSet(displayName, ImmutableSortedDictionary<string, ParameterValue>.Empty);
        }

        return Parse(await File.ReadAllTextAsync(path, cancellationToken), displayName);
    }

    /// <summary>Parses YAML text.</summary>
    /// <exception cref="PipelineException">The text is not valid YAML or not a mapping of parameter names.</exception>
    public static ParameterSet Parse(string yaml, string displayName)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, ParameterValue>(StringComparer.Ordinal);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new PipelineException($"{displayName}: line {e.Start.Line}, column {e.Start.Column}: {Innermost(e).Message}", e);
        }

        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is not YamlScalarNode { Value: null or "" })
        {
            if (stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                throw new PipelineException($"{displayName}: expected a mapping of parameter names at the top level");
            }

            Flatten(root, prefix: "", builder, displayName);
        }

        return new ParameterSet(displayName, builder.ToImmutable());
    }

    /// <summary>
    /// The values a stage reads: for each declared key, that key or, for a section, every key below it.
    /// </summary>
    /// <exception cref="PipelineException">A declared key is not defined.</exception>
    public ImmutableSortedDictionary<string, ParameterValue> Select(string stage, IEnumerable<string> keys)
    {
        var selected = ImmutableSortedDictionary.CreateBuilder<string, ParameterValue>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var matches = values.Where(pair => pair.Key == key || pair.Key.StartsWith(key + ".", StringComparison.Ordinal)).ToList();
            if (matches.Count == 0)
            {
                throw new PipelineException($"{Source}: stage '{stage}' reads parameter '{key}', which is not defined");
            }

            selected.AddRange(matches.Where(pair => !selected.ContainsKey(pair.Key)));
        }

        return selected.ToImmutable();
    }

    /// <summary>Converts a YAML node to a value; mappings are only allowed as sections, not inside lists.</summary>
    internal static ParameterValue ToValue(YamlNode node, string key, string displayName) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => ParameterValue.FromPlainScalar(scalar.Value ?? ""),
        YamlScalarNode scalar => ParameterValue.Of(scalar.Value ?? ""),
        YamlSequenceNode sequence => ParameterValue.List(sequence.Children.Select(child => ToValue(child, key, displayName))),
        _ => throw new PipelineException(
            $"{displayName}: line {node.Start.Line}: '{key}' holds a mapping inside a list; expected a scalar or a list of scalars"),
    };

    private static void Flatten(YamlMappingNode mapping, string prefix, ImmutableSortedDictionary<string, ParameterValue>.Builder into, string displayName)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = prefix + ((YamlScalarNode)keyNode).Value;
            if (valueNode is YamlMappingNode section)
            {
                Flatten(section, key + ".", into, displayName);
            }
            else
            {
                into[key] = ToValue(valueNode, key, displayName);
            }
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
