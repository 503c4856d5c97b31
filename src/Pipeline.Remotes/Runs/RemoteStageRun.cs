using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Core;
using Pipeline.Core.Execution;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Stages;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Hashing;

namespace Pipeline.Remotes.Runs;

/// <summary>
/// One stage to run on another machine (a training pod): its command, the dependency objects to fetch from the
/// remote, its parameters file and outputs, and where the remote is. It travels as JSON in an environment variable;
/// it never holds a credential (the pod gets those from its platform).
/// </summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="Command">The command line, program first.</param>
/// <param name="Dependencies">The data dependencies to fetch and check out, with their content.</param>
/// <param name="Parameters">The parameter keys the stage reads.</param>
/// <param name="Outputs">Every output path (outputs, metrics, plots).</param>
/// <param name="ParametersFile">The parameters file's text.</param>
/// <param name="Remote">Where objects come from and go to.</param>
public sealed record RemoteStageRun(
    string Stage,
    ImmutableArray<string> Command,
    ImmutableArray<RemotePath> Dependencies,
    ImmutableArray<string> Parameters,
    ImmutableArray<string> Outputs,
    string ParametersFile,
    RemoteLocation Remote)
{
    /// <summary>The environment variable that carries the run to the worker.</summary>
    public const string Variable = "PIPELINE_STAGE_RUN";

    /// <summary>
    /// Where the worker writes its <see cref="RemoteRunResult"/> as JSON (a pod's termination-message file, which the
    /// submitter reads back through the cluster's API); null to write none.
    /// </summary>
    public string? ResultPath { get; init; }

    /// <summary>
    /// The hash of the sources the stage's program must be built from (see <see cref="ProgramBuilder"/>);
    /// null when the stage runs no program built in the repository.
    /// </summary>
    public string? ProgramSources { get; init; }

    /// <summary>The algorithm the repository records new hashes with, so the worker records the outputs as a local run would.</summary>
    public string HashAlgorithm { get; init; } = ContentHashAlgorithm.Md5.Name;

    /// <summary>The algorithm <see cref="HashAlgorithm"/> names.</summary>
    /// <exception cref="PipelineException">It names none this version knows.</exception>
    public ContentHashAlgorithm RecordingAlgorithm()
    {
        try
        {
            return ContentHashAlgorithm.FromName(HashAlgorithm);
        }
        catch (FormatException e)
        {
            throw new PipelineException($"{Variable}: hash_algorithm: {e.Message}", e);
        }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The stage as the worker runs it: the fetched data are its only dependencies (the program is in the image).</summary>
    public StageDefinition ToStage() => new(Stage, CommandLine.Of(Command[0], [.. Command[1..]]))
    {
        Dependencies = [.. Dependencies.Select(d => d.Path)],
        Parameters = Parameters,
        Outputs = Outputs,
    };

    /// <summary>
    /// Refuses to run on a machine whose program was built from other sources than the ones the lock file will record:
    /// <paramref name="built"/> is what the image says its program was built from (its
    /// <see cref="ProgramBuilder.SourcesVariable"/>).
    /// </summary>
    /// <exception cref="PipelineException">The program here is not built from the stage's sources.</exception>
    public void RequireProgramBuiltFrom(string? built)
    {
        if (ProgramSources is { } expected && built != expected)
        {
            throw new PipelineException(
                $"stage '{Stage}': this image's program was built from {(string.IsNullOrWhiteSpace(built) ? "unrecorded sources" : $"sources {built}")}, not from the stage's sources {expected}; rebuild and push the training image (ContainerizeTraining, then PushImage --image=training) and run again");
        }
    }

    /// <summary>The run as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a run from <paramref name="json"/>.</summary>
    /// <exception cref="PipelineException">Not a run description.</exception>
    public static RemoteStageRun FromJson(string? json) =>
        Parse<RemoteStageRun>(json, Variable) is { Command.Length: > 0 } run ? run : throw new PipelineException($"{Variable}: the run has no command");

    internal static T Parse<T>(string? json, string what)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new PipelineException($"{what} is empty: expected a JSON description of the stage run");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw new PipelineException($"{what}: null");
        }
        catch (JsonException e)
        {
            throw new PipelineException($"{what}: not a valid stage run ({e.Message})", e);
        }
    }

    internal static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);
}

/// <summary>A path with its content, as the lock file records it.</summary>
/// <param name="Path">The repository-relative path.</param>
/// <param name="Hash">The name of the algorithm the content is hashed with.</param>
/// <param name="Digest">The content hash (a folder's ends in <c>.dir</c>).</param>
/// <param name="Size">Bytes.</param>
/// <param name="Nfiles">Files, for a folder.</param>
public sealed record RemotePath(string Path, string Hash, string Digest, long Size, int? Nfiles)
{
    /// <summary>From a lock file entry.</summary>
    public static RemotePath From(PathState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var hash = state.Content.Hash;
        return new(state.Path, hash.Algorithm.Name, hash.Value, state.Content.Size, state.Content.FileCount);
    }

    /// <summary>As a lock file entry.</summary>
    /// <exception cref="PipelineException">The hash is malformed or of an unknown algorithm.</exception>
    public PathState ToState()
    {
        try
        {
            return new(Path, new ContentInfo(new ContentHash(Digest, ContentHashAlgorithm.FromName(Hash)), Size, Nfiles));
        }
        catch (FormatException e)
        {
            throw new PipelineException($"{RemoteStageRun.Variable}: path '{Path}': {e.Message}", e);
        }
    }
}

/// <summary>A remote's address and settings, without its secrets (the pod gets its credentials from its platform).</summary>
/// <param name="Name">Its name in the configuration.</param>
/// <param name="Url">Its URL.</param>
/// <param name="Settings">Its settings that are not secrets.</param>
public sealed record RemoteLocation(string Name, string Url, ImmutableSortedDictionary<string, string> Settings)
{
    /// <summary>From a configured remote, leaving its secrets behind.</summary>
    public static RemoteLocation From(RemoteDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new(definition.Name, definition.Url, definition.Settings.Where(s => !s.Value.IsSecret).ToImmutableSortedDictionary(s => s.Key, s => s.Value.Value, StringComparer.Ordinal));
    }

    /// <summary>As a remote definition, its settings read from the run.</summary>
    public RemoteDefinition ToDefinition() => new(Name, Url)
    {
        Settings = (Settings ?? ImmutableSortedDictionary<string, string>.Empty)
            .ToImmutableSortedDictionary(s => s.Key, s => new RemoteSetting(s.Value, RemoteStageRun.Variable), StringComparer.Ordinal),
    };
}

/// <summary>What a remote run produced: its outputs, already pushed to the remote.</summary>
/// <param name="Outputs">Each output with its content.</param>
public sealed record RemoteRunResult(ImmutableArray<RemotePath> Outputs)
{
    /// <summary>The result as JSON.</summary>
    public string ToJson() => RemoteStageRun.Serialize(this);

    /// <summary>Reads a result from <paramref name="json"/>.</summary>
    /// <exception cref="PipelineException">Not a run result.</exception>
    public static RemoteRunResult FromJson(string? json) => RemoteStageRun.Parse<RemoteRunResult>(json, "the run result");
}
