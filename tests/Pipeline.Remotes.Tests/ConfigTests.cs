using Pipeline.Core;
using Pipeline.Remotes.Configuration;
using Pipeline.Storage.Objects;

namespace Pipeline.Remotes.Tests;

public sealed class ConfigTests
{
    [Fact]
    public async Task Named_remotes_a_default_and_local_credentials_are_read_and_merged()
    {
        using var repo = TestRepo.Empty();
        repo.Write(RemoteConfigFile.FileName, """
            default: storage
            remotes:
              storage:
                url: s3://planets-data/cache
                endpoint: http://127.0.0.1:9000
                path-style: true
                jobs: 16
              nas:
                url: ../shared-cache
            """);
        repo.Write(RemoteConfigFile.LocalFileName, "remotes:\n  storage:\n    access-key-id: AKIAEXAMPLE\n    secret-access-key: hush-hush\n");

        var config = await RemoteConfigFile.LoadAsync(repo.Root, TestRepo.Kinds, CancellationToken.None);

        var storage = config.Select(null);
        Assert.Equal(("storage", "s3", "http://127.0.0.1:9000", "true", 16), (storage.Name, storage.Scheme, storage.Setting("endpoint"), storage.Setting("path-style"), storage.Jobs));
        Assert.Equal(new RemoteSetting("AKIAEXAMPLE", RemoteConfigFile.LocalFileName, IsSecret: true), storage.Settings["access-key-id"]);
        Assert.False(storage.Settings["endpoint"].IsSecret);
        Assert.DoesNotContain("hush-hush", storage.ToString() + string.Join(",", storage.Settings.Values), StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(Path.Combine(repo.Root, "../shared-cache")), FolderRemoteKind.FolderPath(config.Select("nas"), repo.Root));
    }

    [Theory]
    [InlineData("remotes:\n  s:\n    url: s3://b/p\n    secret-access-key: x\n", "pipeline.remotes.yaml: remotes.s.secret-access-key: credentials do not belong in a committed file")]
    [InlineData("remotes:\n  s:\n    url: s3://b/p\n    path-style: maybe\n", "pipeline.remotes.yaml: remotes.s.path-style: 'maybe' is not true or false")]
    [InlineData("remotes:\n  s:\n    url: gs://b/p\n", "pipeline.remotes.yaml: remotes.s.url: 'gs://b/p' is not supported; expected s3://bucket/prefix or a folder path")]
    [InlineData("remotes:\n  s:\n    url: s3://\n", "pipeline.remotes.yaml: remotes.s.url: 's3://' names no bucket")]
    [InlineData("remotes:\n  s:\n    endpoint: http://x\n", "pipeline.remotes.yaml: remotes.s.url: missing")]
    [InlineData("remotes:\n  s:\n    url: /x\n    jobs: -2\n", "pipeline.remotes.yaml: remotes.s.jobs: '-2' is not a positive whole number")]
    [InlineData("remotes:\n  s:\n    url: /x\n    endpiont: http://x\n", "pipeline.remotes.yaml: remotes.s.endpiont: unknown field; expected one of url, jobs")]
    [InlineData("remotes:\n  s:\n    url: s3://b\n    endpiont: http://x\n", "pipeline.remotes.yaml: remotes.s.endpiont: unknown field; expected one of url, jobs, endpoint, path-style, region, chunked-uploads, etag-checks, access-key-id, secret-access-key, profile")]
    [InlineData("remotes:\n  s:\n    url: s3://b\n    endpoint: minio:9000\n", "pipeline.remotes.yaml: remotes.s.endpoint: 'minio:9000' is not an http:// or https:// URL")]
    [InlineData("default: t\nremotes:\n  s:\n    url: /x\n", "pipeline.remotes.yaml: default: 't' is not a configured remote")]
    [InlineData("remotes: [a, b\n", "pipeline.remotes.yaml: not valid YAML at line")]
    public async Task A_bad_configuration_is_one_line_naming_the_file_and_the_field(string yaml, string expected)
    {
        using var repo = TestRepo.Empty();
        repo.Write(RemoteConfigFile.FileName, yaml);

        var error = await Assert.ThrowsAsync<PipelineException>(() => RemoteConfigFile.LoadAsync(repo.Root, TestRepo.Kinds, CancellationToken.None));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Naming_an_unknown_remote_lists_the_configured_ones()
    {
        using var repo = TestRepo.Empty();
        repo.Write(RemoteConfigFile.FileName, "remotes:\n  nas:\n    url: /srv/cache\n");
        var config = await RemoteConfigFile.LoadAsync(repo.Root, TestRepo.Kinds, CancellationToken.None);

        Assert.Equal("--remote: 'nass' is not a remote in pipeline.remotes.yaml; configured: nas", Assert.Throws<PipelineException>(() => config.Select("nass")).Message);
        Assert.StartsWith("--remote: no remote named and no default", Assert.Throws<PipelineException>(() => config.Select(null)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, 0, 32, ExistenceMethod.PerObject)]          // fewer objects than jobs: one round of HEADs
    [InlineData(5000, 0, 32, ExistenceMethod.ListAll)]          // a new remote: one empty listing page
    [InlineData(200, 4000, 32, ExistenceMethod.PerObject)]      // a few objects against a million on the remote
    [InlineData(400_000, 4000, 32, ExistenceMethod.ListByPrefix)] // many against many: 256 prefixes in parallel
    public void The_existence_check_is_chosen_by_counting_round_trips(int wanted, int sampled, int jobs, ExistenceMethod expected) =>
        Assert.Equal(expected, ExistenceCheck.Choose(wanted, sampled, jobs));
}
