using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Pipeline.Containers;

/// <summary>
/// A Dockerfile built in code, one instruction at a time (each method returns a new Dockerfile). Commands are
/// always written in exec form, so no image needs a shell to start.
/// </summary>
public sealed record Dockerfile
{
    private Dockerfile(ImmutableList<string> instructions)
    {
        Instructions = instructions;
    }

    /// <summary>The instructions, in order, as written to the file.</summary>
    public ImmutableList<string> Instructions { get; }

    /// <summary>The image it starts from.</summary>
    public string BaseImage => Instructions[0]["FROM ".Length..];

    /// <summary>A Dockerfile starting from <paramref name="baseImage"/>.</summary>
    public static Dockerfile From(string baseImage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseImage);
        return new Dockerfile([$"FROM {baseImage}"]);
    }

    /// <summary>Sets environment variables, in the given order.</summary>
    public Dockerfile Env(params IEnumerable<KeyValuePair<string, string>> variables) =>
        Add("ENV " + string.Join(' ', variables.Select(v => $"{v.Key}={Quote(v.Value)}")));

    /// <summary>Sets the working directory.</summary>
    public Dockerfile WorkDir(string path) => Add($"WORKDIR {path}");

    /// <summary>
    /// Copies a folder or file of the build context; each COPY is one layer. With <paramref name="owner"/>
    /// (<c>uid:gid</c>), the files and the folders the copy creates belong to that user.
    /// </summary>
    public Dockerfile Copy(string source, string target, string? owner = null) =>
        Add($"COPY {(owner is null ? string.Empty : $"--chown={owner} ")}{JsonSerializer.Serialize(new[] { source, target })}");

    /// <summary>Runs everything after as this user (a numeric id works on any base image).</summary>
    public Dockerfile User(string user) => Add($"USER {user}");

    /// <summary>Documents the port the container listens on.</summary>
    public Dockerfile Expose(int port) => Add($"EXPOSE {port}");

    /// <summary>A health check that runs <paramref name="command"/> inside the container.</summary>
    public Dockerfile HealthCheck(TimeSpan interval, TimeSpan timeout, TimeSpan startPeriod, int retries, params string[] command) =>
        Add($"HEALTHCHECK --interval={Seconds(interval)} --timeout={Seconds(timeout)} --start-period={Seconds(startPeriod)} --retries={retries} CMD {Exec(command)}");

    /// <summary>The program the container runs.</summary>
    public Dockerfile Entrypoint(params string[] command) => Add($"ENTRYPOINT {Exec(command)}");

    /// <summary>Default arguments to the entrypoint.</summary>
    public Dockerfile Cmd(params string[] arguments) => Add($"CMD {Exec(arguments)}");

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var instruction in Instructions)
        {
            text.Append(instruction).Append('\n');
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public bool Equals(Dockerfile? other) => other is not null && Instructions.SequenceEqual(other.Instructions);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private Dockerfile Add(string instruction) => new(Instructions.Add(instruction));

    private static string Exec(string[] command) => JsonSerializer.Serialize(command);

    private static string Seconds(TimeSpan time) => $"{(int)time.TotalSeconds}s";

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
