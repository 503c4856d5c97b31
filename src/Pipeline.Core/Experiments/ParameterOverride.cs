using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Core.Experiments;

/// <summary>One <c>--set key=value</c> of an experiment: a parameter given another value without editing the parameters file.</summary>
/// <param name="Key">The dotted key, such as <c>train.lr</c>.</param>
/// <param name="Value">The value, as YAML would read it (<c>0.001</c>, <c>true</c>, <c>adam</c>).</param>
public sealed record ParameterOverride(string Key, string Value)
{
    /// <summary>Reads <c>key=value</c>.</summary>
    /// <exception cref="PipelineException">There is no '=' or no key.</exception>
    public static ParameterOverride Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            ? new ParameterOverride(text[..equals].Trim(), text[(equals + 1)..].Trim())
            : throw new PipelineException($"--set {text}: expected KEY=VALUE, such as --set=train.lr=0.001");
    }

    /// <summary>
    /// The parameters file <paramref name="yaml"/> with <paramref name="overrides"/> applied. Only keys the file has may
    /// be set: a misspelt key would otherwise run an experiment that changes nothing.
    /// </summary>
    /// <exception cref="PipelineException">A key is not in the file, or names a section; the message names the key and the file.</exception>
    public static string Apply(string yaml, string displayName, IEnumerable<ParameterOverride> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new PipelineException($"{displayName}: line {e.Start.Line}: not valid YAML", e);
        }

        var root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
            ?? throw new PipelineException($"{displayName}: expected a mapping of parameter names at the top level");
        foreach (var change in overrides)
        {
            Set(root, change, displayName);
        }

        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static void Set(YamlMappingNode root, ParameterOverride change, string displayName)
    {
        var section = root;
        var parts = change.Key.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var key = new YamlScalarNode(parts[i]);
            if (!section.Children.TryGetValue(key, out var node))
            {
                var known = section.Children.Keys.OfType<YamlScalarNode>().Select(k => string.Join('.', [.. parts[..i], k.Value]));
                throw new PipelineException($"{displayName}: --set {change.Key}: no such parameter (there are {string.Join(", ", known)})");
            }

            if (i == parts.Length - 1)
            {
                section.Children[key] = node is YamlMappingNode
                    ? throw new PipelineException($"{displayName}: --set {change.Key}: a section, not a parameter; set one of its keys")
                    : ParseValue(change);
                return;
            }

            section = node as YamlMappingNode
                ?? throw new PipelineException($"{displayName}: --set {change.Key}: '{string.Join('.', parts[..(i + 1)])}' is a value, not a section");
        }
    }

    // The value as YAML reads it, so "[32, 32]" stays a list and "0.001" a number.
    private static YamlNode ParseValue(ParameterOverride change)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(change.Value));
        }
        catch (YamlException e)
        {
            throw new PipelineException($"--set {change.Key}={change.Value}: not a YAML value", e);
        }

        return stream.Documents.FirstOrDefault()?.RootNode ?? new YamlScalarNode(string.Empty);
    }
}
