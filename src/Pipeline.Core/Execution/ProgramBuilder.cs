using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Pipeline.Core.Stages;
using Pipeline.Storage;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Execution;

/// <summary>
/// Makes sure a stage's program is built from the sources in the work tree before the stage runs. Beside the built
/// program lies the record of its last build by the pipeline: the hashes of its sources and of the files the build
/// wrote. When either differs now (a source was edited, or someone rebuilt or replaced the program by other means),
/// the program's build command runs first, with the sources' hash in <see cref="SourcesVariable"/>.
/// </summary>
/// <remarks>
/// Deciding from hashes rather than always running the build keeps a run that builds nothing free of the build
/// tool's own up-to-date check (seconds for MSBuild), and catches what timestamps miss: a source restored with an
/// older modification time, or a program built by hand from other sources.
/// </remarks>
/// <param name="root">The repository root; sources, outputs and the build command are relative to it.</param>
/// <param name="hasher">Hashes sources and built files.</param>
/// <param name="commands">Runs build commands.</param>
/// <param name="log">Says what is built and why.</param>
public sealed class ProgramBuilder(string root, ContentHasher hasher, ICommandRunner commands, IPipelineLog log)
{
    /// <summary>The variable that gives a build the hash of the sources it builds from (and a training image the hash of those its program was built from).</summary>
    public const string SourcesVariable = "PIPELINE_PROGRAM_SOURCES";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Why <paramref name="program"/> must be built before it runs, or null when its build is current.</summary>
    /// <exception cref="PipelineException">A source does not exist, or the program declares no output.</exception>
    public async Task<string?> WhyBuildAsync(StageProgram program, CancellationToken cancellationToken)
    {
        var sources = await ProgramSources.OfAsync(program, root, hasher, cancellationToken);
        return await WhyBuildAsync(program, sources, cancellationToken);
    }

    /// <summary>Builds <paramref name="program"/> unless the record of its last build matches its sources and built files.</summary>
    /// <exception cref="PipelineException">A source does not exist, or the build fails (its errors are on the console).</exception>
    public async Task EnsureBuiltAsync(StageProgram program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (await WhyBuildAsync(program, cancellationToken) is null)
        {
            return;
        }

        // Work trees that share the built program (linked artifacts, a test's copy) share its lock, so two runs never
        // build it at once; the second finds the first's record and builds nothing.
        await using var building = await LockAsync(program, cancellationToken);
        var sources = await ProgramSources.OfAsync(program, root, hasher, cancellationToken);
        if (await WhyBuildAsync(program, sources, cancellationToken) is not { } why)
        {
            return;
        }

        log.Information($"Building program '{program.Name}' ({why}):");
        log.Information($"> {program.Build}");
        var clock = Stopwatch.StartNew();
        var environment = new Dictionary<string, string> { [SourcesVariable] = sources.Hash.Value };
        var exitCode = await commands.RunAsync(program.Build, root, environment, cancellationToken);
        if (exitCode != 0)
        {
            throw new PipelineException(
                $"program '{program.Name}' did not build: '{program.Build}' exited with code {exitCode} (its errors are above); nothing ran and nothing was recorded");
        }

        var record = new BuildRecord(sources.Hash.Value, sources.Paths, await HashOutputsAsync(program, cancellationToken)
            ?? throw new PipelineException($"program '{program.Name}': '{program.Build}' succeeded but did not write {string.Join(", ", program.Outputs)}"));
        await AtomicFile.WriteAllBytesAsync(RecordPath(program), JsonSerializer.SerializeToUtf8Bytes(record, Json), cancellationToken);
        log.Information($"Built program '{program.Name}' in {clock.Elapsed.TotalSeconds:0.0}s");
    }

    /// <summary>
    /// Keeps every other run from building <paramref name="program"/> until the result is disposed: for a caller that
    /// builds it another way (publishing it for an image, say), since two builds of one project at once collide.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(StageProgram program, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(program);
        var path = program.BuildLock is { } shared ? Path.Combine(root, shared) : RecordPath(program) + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path))
            {
                if (!told)
                {
                    log.Information($"Waiting for another run that is building program '{program.Name}'");
                    told = true;
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
    }

    private async Task<string?> WhyBuildAsync(StageProgram program, ProgramSources sources, CancellationToken cancellationToken)
    {
        var record = await ReadRecordAsync(program, cancellationToken);
        if (record is null)
        {
            return "it has not been built by the pipeline here yet";
        }

        if (record.Sources != sources.Hash.Value)
        {
            var changed = sources.Paths.Keys.Where(p => record.SourcePaths.GetValueOrDefault(p) != sources.Paths[p])
                .Concat(record.SourcePaths.Keys.Where(p => !sources.Paths.ContainsKey(p))).ToList();
            return $"source {string.Join(", ", changed.DefaultIfEmpty("list"))} changed since its last build";
        }

        var outputs = await HashOutputsAsync(program, cancellationToken);
        return outputs is not null && outputs.SequenceEqual(record.Outputs)
            ? null
            : $"{string.Join(", ", program.Outputs)} changed since its last build by the pipeline";
    }

    // Null when an output does not exist.
    private async Task<ImmutableSortedDictionary<string, string>?> HashOutputsAsync(StageProgram program, CancellationToken cancellationToken)
    {
        var outputs = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var output in program.Outputs)
        {
            var full = Path.Combine(root, output);
            if (!File.Exists(full))
            {
                return null;
            }

            outputs[output] = (await hasher.HashAsync(full, cancellationToken)).Info.Hash.Value;
        }

        return outputs.ToImmutable();
    }

    private async Task<BuildRecord?> ReadRecordAsync(StageProgram program, CancellationToken cancellationToken)
    {
        var path = RecordPath(program);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<BuildRecord>(await File.ReadAllBytesAsync(path, cancellationToken), Json);
        }
        catch (JsonException)
        {
            // A record that cannot be read only costs a build.
            return null;
        }
    }

    private string RecordPath(StageProgram program) => program.Outputs.IsEmpty
        ? throw new PipelineException($"program '{program.Name}' declares no outputs: name the files its build writes")
        : Path.Combine(root, program.Outputs[0] + ".pipeline-build.json");

    /// <summary>What the last build by the pipeline was made from and what it wrote.</summary>
    private sealed record BuildRecord(
        string Sources,
        ImmutableSortedDictionary<string, string> SourcePaths,
        ImmutableSortedDictionary<string, string> Outputs);
}

/// <summary>The sources of a program as they are now: each declared path's content hash, and one hash over all.</summary>
/// <param name="Paths">Each source path's content hash, by path.</param>
public sealed record ProgramSources(ImmutableSortedDictionary<string, string> Paths)
{
    /// <summary>Hashes <paramref name="program"/>'s sources in the work tree at <paramref name="root"/>.</summary>
    /// <exception cref="PipelineException">A source does not exist.</exception>
    public static async Task<ProgramSources> OfAsync(StageProgram program, string root, ContentHasher hasher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(hasher);
        var paths = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var source in program.Sources)
        {
            var full = Path.Combine(root, source);
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                throw new PipelineException($"program '{program.Name}': source '{source}' does not exist");
            }

            paths[source] = (await hasher.HashAsync(full, cancellationToken)).Info.Hash.Value;
        }

        return new ProgramSources(paths.ToImmutable());
    }

    /// <summary>The MD5 of every path with its content hash, one per line in path order.</summary>
    public ContentHash Hash { get; } = ContentHash.OfBytes(
        Encoding.UTF8.GetBytes(string.Concat((Paths ?? throw new ArgumentNullException(nameof(Paths))).Select(p => $"{p.Key}\t{p.Value}\n"))),
        ContentHashAlgorithm.Md5);
}
