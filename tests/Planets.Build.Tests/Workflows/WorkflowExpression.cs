using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Planets.Build.Tests.Workflows;

/// <summary>
/// GitHub Actions expressions, as the runner evaluates them (docs.github.com, "Evaluate expressions in workflows and
/// actions"), for the part the workflows use: contexts (<c>github</c>, <c>env</c>, <c>vars</c>, <c>secrets</c>,
/// <c>runner</c>), string literals, <c>==</c> and <c>!=</c> (strings compared ignoring case), <c>!</c>, <c>&amp;&amp;</c>
/// and <c>||</c> (which return an operand, not a boolean), parentheses and <c>hashFiles</c>. Anything else is an error,
/// so a workflow that starts using more fails here rather than being evaluated wrongly.
/// </summary>
/// <param name="contexts">The contexts by name, as JSON.</param>
/// <param name="workspace">The folder <c>hashFiles</c> reads.</param>
internal sealed partial class WorkflowExpression(JsonObject contexts, string workspace)
{
    private List<string> tokens = [];
    private int position;

    /// <summary><paramref name="text"/> with every <c>${{ … }}</c> replaced by its value as text.</summary>
    public string Interpolate(string text) =>
        Placeholder().Replace(text, match => AsText(Evaluate(match.Groups["expression"].Value)));

    /// <summary>Whether an <c>if:</c> condition holds; an absent one does (the default <c>success()</c>).</summary>
    public bool Holds(string? condition) =>
        condition is null || IsTruthy(Evaluate(Placeholder().Match(condition) is { Success: true } m && m.Value == condition.Trim() ? m.Groups["expression"].Value : condition));

    /// <summary>The value of one expression (without <c>${{ }}</c>).</summary>
    public JsonNode? Evaluate(string expression)
    {
        tokens = [.. Token().Matches(expression).Select(m => m.Value)];
        position = 0;
        var value = Or();
        return position == tokens.Count ? value : throw new FormatException($"unexpected '{tokens[position]}' in '{expression}'");
    }

    /// <summary>A value as the runner writes it into text: null empty, booleans lower-case.</summary>
    public static string AsText(JsonNode? value) => value switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue(out string? s) => s ?? string.Empty,
        JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => AsNumber(v).ToString(CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };

    private JsonNode? Or()
    {
        var left = And();
        while (Accept("||"))
        {
            var right = And();
            left = IsTruthy(left) ? left : right;
        }

        return left;
    }

    private JsonNode? And()
    {
        var left = Comparison();
        while (Accept("&&"))
        {
            var right = Comparison();
            left = IsTruthy(left) ? right : left;
        }

        return left;
    }

    private JsonNode? Comparison()
    {
        var left = Unary();
        if (Accept("=="))
        {
            return JsonValue.Create(AreEqual(left, Unary()));
        }

        return Accept("!=") ? JsonValue.Create(!AreEqual(left, Unary())) : left;
    }

    private JsonNode? Unary() => Accept("!") ? JsonValue.Create(!IsTruthy(Unary())) : Primary();

    private JsonNode? Primary()
    {
        var token = Next();
        if (token == "(")
        {
            var inner = Or();
            Expect(")");
            return inner;
        }

        if (token.StartsWith('\''))
        {
            return JsonValue.Create(token[1..^1].Replace("''", "'", StringComparison.Ordinal));
        }

        if (token is "true" or "false")
        {
            return JsonValue.Create(token == "true");
        }

        if (char.IsAsciiDigit(token[0]))
        {
            return JsonValue.Create(double.Parse(token, CultureInfo.InvariantCulture));
        }

        if (Accept("("))
        {
            return Call(token);
        }

        // A context path: github.event.pull_request.number; a missing property is null, as on the runner.
        JsonNode? value = contexts[token] ?? throw new FormatException($"unknown context '{token}'");
        while (Accept("."))
        {
            var property = Next();
            value = value is JsonObject obj ? obj[property] : null;
        }

        return value;
    }

    private JsonValue Call(string function)
    {
        var arguments = new List<string>();
        while (!Accept(")"))
        {
            arguments.Add(AsText(Or()));
            Accept(",");
        }

        return function == "hashFiles"
            ? JsonValue.Create(HashFiles(arguments))
            : throw new FormatException($"function '{function}' is not supported here");
    }

    // The runner's hashFiles: a SHA-256 over the matching files' own SHA-256s, empty when none matches.
    private string HashFiles(IEnumerable<string> patterns)
    {
        var files = patterns.Select(p => Path.Combine(workspace, p)).Where(File.Exists).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            return string.Empty;
        }

        using var all = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            all.AppendData(SHA256.HashData(File.ReadAllBytes(file)));
        }

        return Convert.ToHexStringLower(all.GetHashAndReset());
    }

    private static bool AreEqual(JsonNode? left, JsonNode? right) => (left, right) switch
    {
        (null, null) => true,
        (JsonValue a, JsonValue b) when a.TryGetValue(out string? x) && b.TryGetValue(out string? y) => string.Equals(x, y, StringComparison.OrdinalIgnoreCase),
        (JsonValue a, JsonValue b) when a.TryGetValue(out bool x) && b.TryGetValue(out bool y) => x == y,
        (JsonObject, _) or (_, JsonObject) => ReferenceEquals(left, right),
        _ => Number(left) == Number(right),
    };

    // Operands of different types compare as numbers: null 0, booleans 1 and 0, strings parsed (NaN when not numbers).
    private static double Number(JsonNode? value) => value switch
    {
        null => 0,
        JsonValue v when v.TryGetValue(out bool b) => b ? 1 : 0,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => AsNumber(v),
        JsonValue v when v.TryGetValue(out string? s) => s!.Length == 0 ? 0 : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN,
        _ => double.NaN,
    };

    // A number whatever CLR type holds it (an int in a context built in code, a double parsed from JSON).
    private static double AsNumber(JsonValue value) => double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);

    private static bool IsTruthy(JsonNode? value) => value switch
    {
        null => false,
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out string? s) => s!.Length > 0,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => AsNumber(v) is var d && d != 0 && !double.IsNaN(d),
        _ => true,
    };

    private bool Accept(string token)
    {
        if (position < tokens.Count && tokens[position] == token)
        {
            position++;
            return true;
        }

        return false;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw new FormatException($"expected '{token}'");
        }
    }

    private string Next() => position < tokens.Count ? tokens[position++] : throw new FormatException("unexpected end of expression");

    [GeneratedRegex(@"\$\{\{\s*(?<expression>.*?)\s*\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"'(?:[^']|'')*'|==|!=|&&|\|\||[!().,]|[A-Za-z_][\w-]*|\d+(?:\.\d+)?")]
    private static partial Regex Token();
}
