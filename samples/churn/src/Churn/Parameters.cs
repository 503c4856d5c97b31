using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Churn;

/// <summary>One section of params.yaml, the keys the pipeline hashes for the stage that reads it.</summary>
internal sealed class Parameters(string section, IReadOnlyDictionary<string, string> values)
{
    public static Parameters Section(string section, string file = "params.yaml")
    {
        try
        {
            var all = new DeserializerBuilder().Build().Deserialize<Dictionary<string, Dictionary<string, string>>>(File.ReadAllText(file));
            return all is not null && all.TryGetValue(section, out var values)
                ? new Parameters(section, values)
                : throw new InvalidDataException($"{file}: no section '{section}'");
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    /// <summary>Every key of the section with its text, as the model store records a model's parameters.</summary>
    public ImmutableSortedDictionary<string, string> All => values.ToImmutableSortedDictionary(StringComparer.Ordinal);

    public int Integer(string key, int minimum = 1) =>
        int.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new InvalidDataException($"params.yaml: {section}.{key} is '{Text(key)}', expected a whole number of at least {minimum}");

    public double Fraction(string key) =>
        double.TryParse(Text(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is > 0 and < 1
            ? value
            : throw new InvalidDataException($"params.yaml: {section}.{key} is '{Text(key)}', expected a number between 0 and 1");

    public double NonNegative(string key) =>
        double.TryParse(Text(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new InvalidDataException($"params.yaml: {section}.{key} is '{Text(key)}', expected a number of at least 0");

    public string Choice(string key, params string[] choices) =>
        choices.Contains(Text(key)) ? Text(key) : throw new InvalidDataException($"params.yaml: {section}.{key} is '{Text(key)}', expected one of {string.Join(", ", choices)}");

    private string Text(string key) =>
        values.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"params.yaml: {section}.{key} is missing");
}
