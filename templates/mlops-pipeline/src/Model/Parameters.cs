using System.Globalization;

/// <summary>One section of params.yaml (<c>section:</c> then indented <c>key: value</c> lines), read without a YAML library.</summary>
internal sealed class Parameters(string section, IReadOnlyDictionary<string, string> values)
{
    public static Parameters Read(string section, string file = "params.yaml")
    {
        var values = new Dictionary<string, string>();
        var inSection = false;
        foreach (var line in File.ReadLines(file).Select(l => l.Split('#')[0].TrimEnd()).Where(l => l.Length > 0))
        {
            if (!char.IsWhiteSpace(line[0]))
            {
                inSection = line == $"{section}:";
            }
            else if (inSection && line.Split(':', 2) is [var key, var value])
            {
                values[key.Trim()] = value.Trim();
            }
        }

        return new Parameters(section, values);
    }

    public int Integer(string key) =>
        int.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidDataException($"params.yaml: {section}.{key} is '{Text(key)}', expected a whole number above 0");

    public double Number(string key) =>
        double.TryParse(Text(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidDataException($"params.yaml: {section}.{key} is '{Text(key)}', expected a number above 0");

    private string Text(string key) =>
        values.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"params.yaml: {section}.{key} is missing");
}
