using System.Collections.Concurrent;
using Pipeline.Core;
using Pipeline.Core.Tracking;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Hashing;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.Tests;

/// <summary>A kind of remote the engine has never heard of works once a composition root registers it.</summary>
public sealed class RemoteKindTests
{
    [Fact]
    public async Task A_kind_registered_by_a_test_is_configured_pushed_to_and_pulled_from()
    {
        var kinds = new RemoteKinds().Add(new MemoryRemoteKind());
        using var repo = await TestRepo.WithDataAsync(5);
        repo.Write(RemoteConfigFile.FileName, "default: ram\nremotes:\n  ram:\n    url: mem://shelf-" + Guid.NewGuid().ToString("N") + "\n    label: tests\n");
        repo.Write(RemoteConfigFile.LocalFileName, "remotes:\n  ram:\n    token: s3cr3t\n");
        var definition = (await RemoteConfigFile.LoadAsync(repo.Root, kinds, CancellationToken.None)).Select(null);

        using var remote = kinds.Open(definition, repo.Root);
        var pushed = await repo.WithTransferAsync(remote, (t, _, roots) => t.PushAsync(roots, CancellationToken.None));
        using var clone = repo.CloneCommitted();
        var fetched = await clone.WithTransferAsync(kinds.Open(definition, clone.Root), (t, _, roots) => t.FetchAsync(roots, CancellationToken.None));
        await using (var workspace = await clone.OpenAsync())
        {
            Assert.Empty((await new WorkspaceCheckout(workspace).RunAsync(CancellationToken.None)).Failed);
        }

        Assert.Equal((5 + 2 + 1 + 2, 0), (pushed.Transferred, pushed.Failed.Count));
        Assert.Equal((pushed.Transferred, 0), (fetched.Transferred, fetched.Failed.Count));
        Assert.Equal(repo.Snapshot("data", "notes.txt", "model"), clone.Snapshot("data", "notes.txt", "model"));
        Assert.Equal("tests", definition.Setting("label"));
        Assert.True(definition.Settings["token"].IsSecret);
    }

    [Theory]
    [InlineData("remotes:\n  ram:\n    url: mem://x\n    size: 3\n", "pipeline.remotes.yaml: remotes.ram.size: unknown field; expected one of url, jobs, label, token")]
    [InlineData("remotes:\n  ram:\n    url: mem://x\n    token: s3cr3t\n", "pipeline.remotes.yaml: remotes.ram.token: credentials do not belong in a committed file; put them in .pipeline/config.local or the environment")]
    [InlineData("remotes:\n  ram:\n    url: mem://\n", "pipeline.remotes.yaml: remotes.ram.url: 'mem://' names no shelf; expected mem://name")]
    public async Task Its_settings_are_checked_by_its_own_rules(string yaml, string expected)
    {
        using var repo = TestRepo.Empty();
        repo.Write(RemoteConfigFile.FileName, yaml);

        var error = await Assert.ThrowsAsync<PipelineException>(() => RemoteConfigFile.LoadAsync(repo.Root, new RemoteKinds().Add(new MemoryRemoteKind()), CancellationToken.None));

        Assert.Equal(expected, error.Message);
    }

    /// <summary>Remotes kept in this process's memory, by the name in their URL (<c>mem://name</c>).</summary>
    private sealed class MemoryRemoteKind : IRemoteKind
    {
        private static readonly ConcurrentDictionary<string, ConcurrentDictionary<ContentHash, byte[]>> Shelves = new(StringComparer.Ordinal);

        public IReadOnlyCollection<string> Schemes { get; } = ["mem"];

        public string UrlForm => "mem://name";

        public IReadOnlyCollection<string> Settings { get; } = ["label", "token"];

        public IReadOnlyCollection<string> SecretSettings { get; } = ["token"];

        public void Validate(RemoteDefinition remote)
        {
            if (remote.Url.Length <= "mem://".Length)
            {
                throw new PipelineException($"{RemoteConfigFile.FileName}: remotes.{remote.Name}.url: '{remote.Url}' names no shelf; expected {UrlForm}");
            }
        }

        public IObjectDatabase Open(RemoteDefinition remote, string repositoryRoot) =>
            new MemoryObjectDatabase(remote.ToString(), Shelves.GetOrAdd(remote.Url, _ => new()));
    }

    private sealed class MemoryObjectDatabase(string name, ConcurrentDictionary<ContentHash, byte[]> objects) : IObjectDatabase
    {
        public string Name => name;

        public bool IsLocal => false;

        public Task<IReadOnlyCollection<StoredObject>> ListAsync(string? prefix, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyCollection<StoredObject>>(
                [.. objects.Where(o => prefix is null || o.Key.Value.StartsWith(prefix, StringComparison.Ordinal)).Select(o => new StoredObject(o.Key, o.Value.Length))]);

        public Task<StoredObject?> StatAsync(ContentHash hash, CancellationToken cancellationToken) =>
            Task.FromResult(objects.TryGetValue(hash, out var bytes) ? new StoredObject(hash, bytes.Length) : (StoredObject?)null);

        public async Task<bool> ReadAsync(ContentHash hash, Func<ObjectContent, Task> receive, CancellationToken cancellationToken)
        {
            if (!objects.TryGetValue(hash, out var bytes))
            {
                return false;
            }

            await receive(new ObjectContent(new MemoryStream(bytes, writable: false), bytes.Length));
            return true;
        }

        public async Task<Task> WriteAsync(ContentHash hash, ObjectContent content, CancellationToken cancellationToken)
        {
            using var buffer = new MemoryStream();
            await content.Stream.CopyToAsync(buffer, cancellationToken);
            objects[hash] = buffer.ToArray();
            return Task.CompletedTask;
        }

        public Task DeleteAsync(IReadOnlyCollection<ContentHash> hashes, CancellationToken cancellationToken)
        {
            foreach (var hash in hashes)
            {
                objects.TryRemove(hash, out _);
            }

            return Task.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
