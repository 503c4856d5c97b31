using Pipeline.Core;
using Pipeline.Core.LockFiles;
using Pipeline.Storage.Hashing;
using Pipeline.Remotes.Runs;

namespace Pipeline.Remotes.Tests;

/// <summary>A training pod runs a stage only with a program built from the sources the lock file will record.</summary>
public sealed class RemoteStageRunTests
{
    private static readonly RemoteStageRun Run = new(
        "train", ["dotnet", "ml.dll", "train"], [], ["train"], ["model"], "train:\n  epochs: 5\n", new RemoteLocation("storage", "s3://bucket/cache", System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty))
    {
        ProgramSources = "0123456789abcdef0123456789abcdef",
    };

    [Fact]
    public void The_expected_program_sources_travel_with_the_run()
    {
        var received = RemoteStageRun.FromJson(Run.ToJson());

        Assert.Equal(Run.ProgramSources, received.ProgramSources);
        received.RequireProgramBuiltFrom("0123456789abcdef0123456789abcdef");
    }

    [Theory]
    [InlineData("fedcba9876543210fedcba9876543210", "sources fedcba9876543210fedcba9876543210")]
    [InlineData(null, "unrecorded sources")]
    public void An_image_built_from_other_sources_is_refused_with_what_to_do(string? built, string described)
    {
        var error = Assert.Throws<PipelineException>(() => Run.RequireProgramBuiltFrom(built));

        Assert.Equal(
            $"stage 'train': this image's program was built from {described}, not from the stage's sources 0123456789abcdef0123456789abcdef; rebuild and push the training image (ContainerizeTraining, then PushImage --image=training) and run again",
            error.Message);
    }

    [Fact]
    public void The_repositorys_hash_algorithm_and_each_paths_travel_with_the_run_and_a_foreign_one_is_one_error()
    {
        var data = new PathState("data/prepared", new ContentInfo(ContentHash.OfBytes("x"u8, ContentHashAlgorithm.Blake3), 1, null));
        var sent = Run with { HashAlgorithm = "xxh128", Dependencies = [RemotePath.From(data)] };

        var received = RemoteStageRun.FromJson(sent.ToJson());

        Assert.Equal(ContentHashAlgorithm.Xxh128, received.RecordingAlgorithm());
        Assert.Equal(data, received.Dependencies.Single().ToState());
        Assert.Equal(
            "PIPELINE_STAGE_RUN: hash_algorithm: 'sha1' is not a hash algorithm (expected one of md5, blake3, xxh128)",
            Assert.Throws<PipelineException>(() => (Run with { HashAlgorithm = "sha1" }).RecordingAlgorithm()).Message);
    }

    [Fact]
    public void A_stage_without_a_program_of_the_repository_runs_anywhere() =>
        (Run with { ProgramSources = null }).RequireProgramBuiltFrom(null);
}
