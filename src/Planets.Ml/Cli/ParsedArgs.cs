using System.Globalization;

namespace Planets.Ml.Cli;

/// <summary>Positional arguments and <c>--name value</c> options of one command line.</summary>
internal sealed record ParsedArgs(IReadOnlyList<string> Positionals, IReadOnlyDictionary<string, string> Options)
{
    /// <summary>Splits <paramref name="args"/>; only the options in <paramref name="allowed"/> are accepted.</summary>
    public static ParsedArgs Parse(string command, IReadOnlyList<string> args, IReadOnlyCollection<string> allowed)
    {
        var positionals = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            if (!allowed.Contains(name))
            {
                throw new UserErrorException($"{command}: unknown option '{arg}' (allowed: {FormatAllowed(allowed)})");
            }

            if (i + 1 >= args.Count)
            {
                throw new UserErrorException($"{command}: option '{arg}' needs a value");
            }

            options[name] = args[++i];
        }

        return new ParsedArgs(positionals, options);
    }

    /// <summary>Fails unless exactly the named positional arguments were given.</summary>
    public void ExpectPositionals(string usage, int count)
    {
        if (Positionals.Count != count)
        {
            throw new UserErrorException($"usage: {usage}");
        }
    }

    /// <summary>The value of option <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public string Option(string name, string fallback) => Options.TryGetValue(name, out var value) ? value : fallback;

    /// <summary>A positive integer option.</summary>
    public int PositiveIntOption(string command, string name, int fallback)
    {
        if (!Options.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        throw new UserErrorException($"{command}: --{name} must be a positive integer, got '{text}'");
    }

    private static string FormatAllowed(IReadOnlyCollection<string> allowed) =>
        allowed.Count == 0 ? "none" : string.Join(", ", allowed.Select(a => "--" + a));
}
