using System.Text.Json;

namespace Planets.Ml.Common;

/// <summary>The one JSON style of all outputs: snake_case keys in declaration order, indented, LF endings.</summary>
internal static class Json
{
    /// <summary>Serializer options shared by every JSON file written or read.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NewLine = "\n",
    };

    /// <summary>Serializes with a trailing newline, so files diff cleanly.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    /// <summary>Reads a JSON file written by this program; a broken file is a user error naming it.</summary>
    public static async Task<T> ReadAsync<T>(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new Cli.UserErrorException($"{path}: file not found");
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<T>(stream, Options, cancellationToken).ConfigureAwait(false)
                ?? throw new Cli.UserErrorException($"{path}: empty JSON document");
        }
        catch (JsonException ex)
        {
            throw new Cli.UserErrorException($"{path}: invalid JSON ({ex.Message})", ex);
        }
    }
}
