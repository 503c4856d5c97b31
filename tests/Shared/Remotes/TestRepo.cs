using System.Collections.Immutable;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Parameters;
using Pipeline.Core.Tracking;
using Pipeline.Core.Workspace;
using Pipeline.Remotes;
using Pipeline.Remotes.Configuration;
using Pipeline.Remotes.S3;
using Pipeline.Storage.Objects;

namespace Pipeline.Testing;

/// <summary>
/// A repository in a temp folder with data the pipeline refers to: a tracked folder (<c>data.ptr</c>), a tracked file
/// (<c>notes.txt.ptr</c>) and a stage output recorded in <c>pipeline.lock</c> (<c>model/</c>), all in its cache.
/// </summary>
public sealed class TestRepo : IDisposable
{
    private TestRepo(string root) => Root = root;

    public string Root { get; }

    public string this[string relative] => Path.Combine(Root, relative);

    /// <summary>An empty folder, as a fresh clone before any data is pulled.</summary>
    public static TestRepo Empty()
    {
        var root = Path.Combine(Path.GetTempPath(), "pipeline-remotes-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        return new TestRepo(root);
    }

    /// <summary>A repository whose tracked folder holds <paramref name="files"/> small files of distinct content.</summary>
    public static async Task<TestRepo> WithDataAsync(int files = 40)
    {
        var repo = Empty();
        for (var i = 0; i < files; i++)
        {
            repo.Write($"data/part{i % 7}/file{i:D5}.txt", $"sample {i} {Guid.NewGuid()}\n" + new string('x', i % 500));
        }

        repo.Write("notes.txt", "tracked single file\n");
        repo.Write("model/weights.bin", "weights " + Guid.NewGuid());
        repo.Write("model/info.json", "{\"epochs\": 5}");
        await using var workspace = await repo.OpenAsync();
        var tracking = new TrackedData(workspace);
        await tracking.AddAsync("data", [], CancellationToken.None);
        await tracking.AddAsync("notes.txt", [], CancellationToken.None);
        await repo.RecordOutputAsync(workspace, "model");
        return repo;
    }

    public string Write(string relative, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(this[relative])!);
        File.WriteAllText(this[relative], content);
        return this[relative];
    }

    /// <summary>The algorithm the repository records new hashes with.</summary>
    public Storage.Hashing.ContentHashAlgorithm HashAlgorithm { get; set; } = Storage.Hashing.ContentHashAlgorithm.Md5;

    public Task<PipelineWorkspace> OpenAsync() =>
        PipelineWorkspace.OpenAsync(Root, new PipelineSettings { HashAlgorithm = HashAlgorithm }, CancellationToken.None);

    /// <summary>A clone: the committed files only (lock file, pointers, remote configuration), no data and no cache.</summary>
    public TestRepo CloneCommitted()
    {
        var clone = Empty();
        var pointers = Directory.EnumerateFiles(Root, "*" + PointerFile.Extension).Select(Path.GetFileName).OfType<string>();
        foreach (var file in pointers.Concat(["pipeline.lock", RemoteConfigFile.FileName, RemoteConfigFile.LocalFileName]))
        {
            if (File.Exists(this[file]))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(clone[file])!);
                File.Copy(this[file], clone[file]);
            }
        }

        return clone;
    }

    /// <summary>The repository's remote configuration: the committed file and, for the secrets, the local one.</summary>
    public void Configure(RemoteDefinition remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var shared = $"default: {remote.Name}\nremotes:\n  {remote.Name}:\n    url: {remote.Url}\n";
        shared += string.Concat(remote.Settings.Where(s => !s.Value.IsSecret).Select(s => $"    {s.Key}: {s.Value.Value}\n"));
        Write(RemoteConfigFile.FileName, shared);
        var secrets = remote.Settings.Where(s => s.Value.IsSecret).ToList();
        if (secrets.Count > 0)
        {
            Write(RemoteConfigFile.LocalFileName, $"remotes:\n  {remote.Name}:\n" + string.Concat(secrets.Select(s => $"    {s.Key}: {s.Value.Value}\n")));
        }
    }

    /// <summary>Every file below <paramref name="relative"/> with its bytes, for comparing two workspaces.</summary>
    public SortedDictionary<string, string> Snapshot(params string[] relative)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in relative)
        {
            var full = this[path];
            var paths = Directory.Exists(full) ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories) : [full];
            foreach (var file in paths)
            {
                files[Path.GetRelativePath(Root, file)] = Convert.ToBase64String(File.ReadAllBytes(file));
            }
        }

        return files;
    }

    /// <summary>The kinds of remote the tests open: folders and S3.</summary>
    public static RemoteKinds Kinds { get; } = new RemoteKinds().Add(new S3RemoteKind());

    /// <summary>An S3 remote on <paramref name="endpoint"/>, path-style, with its keys as <c>.pipeline/config.local</c> would give them.</summary>
    public static RemoteDefinition S3Remote(string name, string url, string endpoint, string keyId, string secret) => new(name, url)
    {
        Settings = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, RemoteSetting>
        {
            ["endpoint"] = new(endpoint, RemoteConfigFile.FileName),
            ["path-style"] = new("true", RemoteConfigFile.FileName),
            ["access-key-id"] = new(keyId, RemoteConfigFile.LocalFileName, IsSecret: true),
            ["secret-access-key"] = new(secret, RemoteConfigFile.LocalFileName, IsSecret: true),
        }),
    };

    /// <summary>Pushes, fetches or reports against <paramref name="remote"/> in-process.</summary>
    public async Task<T> WithTransferAsync<T>(IObjectDatabase remote, Func<RemoteTransfer, PipelineWorkspace, IReadOnlyList<Storage.Hashing.ContentHash>, Task<T>> action, int jobs = 8)
    {
        await using var workspace = await OpenAsync();
        var roots = (await WorkspaceReferences.ReadAsync(workspace, CancellationToken.None)).Select(p => p.Content.Hash).ToList();
        var transfer = new RemoteTransfer(workspace.Cache, remote, new TransferOptions(jobs, TestRetry), SilentProgress.Instance);
        return await action(transfer, workspace, roots);
    }

    /// <summary>Pushes to <paramref name="remote"/>, asks its status, then fetches into a fresh clone and checks it out.</summary>
    public async Task<RoundTrip> RoundTripAsync(IObjectDatabase remote)
    {
        var pushed = await WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        var status = await WithTransferAsync(remote, (t, _, roots) => t.StatusAsync(roots, CancellationToken.None));
        var clone = CloneCommitted();
        var fetched = await clone.WithTransferAsync(remote, (t, _, roots) => t.FetchAsync(roots, CancellationToken.None));
        await using var workspace = await clone.OpenAsync();
        var checkout = await new WorkspaceCheckout(workspace).RunAsync(CancellationToken.None);
        return new RoundTrip(pushed, status, clone, fetched, checkout);
    }

    /// <summary>Short retries, so that an unreachable server fails a test in well under a second.</summary>
    public static RetryPolicy TestRetry { get; } = new(3, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100));

    public void Dispose()
    {
        foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(Root, recursive: true);
    }

    /// <summary>Hashes and caches <paramref name="output"/> and records it in the lock file as a stage's output.</summary>
    public async Task RecordOutputAsync(PipelineWorkspace workspace, string output)
    {
        var hashed = await workspace.Hasher.HashAsync(this[output], CancellationToken.None);
        await workspace.Cache.AddDirectoryAsync(this[output], hashed.Manifest!, CancellationToken.None);
        var stage = new StageLock("train", [], ImmutableSortedDictionary.Create<string, ParameterValue>(StringComparer.Ordinal), [new PathState(output, hashed.Info)]);
        await workspace.LockFiles.WriteAsync(LockFile.Empty.With("train", stage), CancellationToken.None);
    }
}

/// <summary>What a push to a remote and a pull into a fresh clone did; the clone is the caller's to dispose.</summary>
public sealed record RoundTrip(TransferSummary Pushed, RemoteStatusReport Status, TestRepo Cloned, TransferSummary Fetched, CheckoutResult Checkout);
