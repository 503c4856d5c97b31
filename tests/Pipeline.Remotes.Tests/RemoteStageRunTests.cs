using Pipeline.Core;
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
    public void A_stage_without_a_program_of_the_repository_runs_anywhere() =>
        (Run with { ProgramSources = null }).RequireProgramBuiltFrom(null);
}
