using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Pipeline.Core.Parameters;

/// <summary>
/// A parameter's value as YAML typed it: a string, integer, float, boolean, null or a list of values.
/// Two values are equal when they mean the same (<c>1e-4</c> equals <c>0.0001</c>), not when they are spelt the same.
/// </summary>
public sealed record ParameterValue
{
    private ParameterValue(object? scalar, ImmutableArray<ParameterValue>? items)
    {
        Scalar = scalar;
        Items = items;
    }

    /// <summary>The scalar: <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/> or null.</summary>
    public object? Scalar { get; }

    /// <summary>The items of a list value; <c>null</c> for a scalar.</summary>
    public ImmutableArray<ParameterValue>? Items { get; }

    /// <summary>Makes a scalar value.</summary>
    public static ParameterValue Of(object? scalar) => scalar switch
    {
        null or string or long or double or bool => new ParameterValue(scalar, null),
        int i => new ParameterValue((long)i, null),
        _ => throw new ArgumentException($"unsupported parameter type {scalar.GetType().Name}", nameof(scalar)),
    };

    /// <summary>Makes a list value.</summary>
    public static ParameterValue List(IEnumerable<ParameterValue> items) => new(null, [.. items]);

    /// <summary>Types a plain (unquoted) YAML scalar by the YAML 1.2 core schema.</summary>
    public static ParameterValue FromPlainScalar(string text)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return Of(null);
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return Of(char.ToLowerInvariant(text[0]) == 't');
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return Of(integer);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !text.Contains('_', StringComparison.Ordinal)
            ? Of(real)
            : Of(text);
    }

    /// <inheritdoc />
    public bool Equals(ParameterValue? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    /// <summary>The value in YAML flow style, as tables and messages show it.</summary>
    public override string ToString()
    {
        if (Items is { } items)
        {
            return "[" + string.Join(", ", items.Select(i => i.ToString())) + "]";
        }

        return Scalar switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            double d => FormatDouble(d),
            long l => l.ToString(CultureInfo.InvariantCulture),
            string s => Quote(s),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }

    /// <summary>Whether a string must be quoted in YAML to stay a string.</summary>
    public static bool NeedsQuotes(string text) =>
        FromPlainScalar(text).Scalar is not string || text.Length == 0 || text.Trim() != text ||
        text.IndexOfAny([':', '#', '[', ']', '{', '}', ',', '"', '\'', '&', '*', '!', '|', '>', '%', '@', '`']) >= 0;

    private static string FormatDouble(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) || !double.IsFinite(value)
            ? text
            : text + ".0";
    }

    private static string Quote(string text)
    {
        if (!NeedsQuotes(text))
        {
            return text;
        }

        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", _ => c.ToString() });
        }

        return builder.Append('"').ToString();
    }
}
