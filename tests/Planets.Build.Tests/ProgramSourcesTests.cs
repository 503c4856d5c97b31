namespace Planets.Build.Tests;

/// <summary>
/// What a user does after <c>./build.sh</c> once: edit the ML program and run <c>dotnet cake --target=Repro</c>. The
/// stage runs the program built from the edited sources, never the binary built before the edit; a compile error
/// fails the stage with the compiler's lines and changes nothing.
/// </summary>
public sealed class ProgramSourcesTests : IDisposable
{
    private const string TrainLine = "$\"train: {data.Train.Count} train";
    private readonly RepositoryCopy repository = new(ownArtifacts: true);

    [Fact]
    public async Task An_edited_stage_program_is_built_before_the_stage_runs_and_a_compile_error_changes_nothing()
    {
        await repository.EditParamsAsync("epochs: 5", "epochs: 1");
        var first = await repository.CakeAsync("--target=Repro");
        await repository.EditAsync("src/Planets.Ml/Commands/TrainCommand.cs", TrainLine, "$\"train (edited): {data.Train.Count} train");
        var edited = await repository.CakeAsync("--target=Repro");
        var lockAfterEdit = await File.ReadAllTextAsync(Path.Combine(repository.Root, "pipeline.lock"));
        await repository.EditAsync("src/Planets.Ml/Commands/TrainCommand.cs", "$\"train (edited): ", "$\"train (broken): \" +");
        var broken = await repository.CakeAsync("--target=Repro");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Building program 'Planets.Ml' (it has not been built by the pipeline here yet):", first.Output, StringComparison.Ordinal);
        Assert.True(edited.ExitCode == 0, edited.Output);
        Assert.Contains("Building program 'Planets.Ml' (source src/Planets.Ml changed since its last build):", edited.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'train' (dependency src/Planets.Ml/Commands/TrainCommand.cs modified)", edited.Output, StringComparison.Ordinal);
        Assert.Contains("train (edited): ", edited.Output, StringComparison.Ordinal);
        Assert.Contains("Stage 'prepare' didn't change, skipping", edited.Output, StringComparison.Ordinal);

        Assert.NotEqual(0, broken.ExitCode);
        Assert.Matches(@"TrainCommand\.cs\(\d+,\d+\): error CS\d+", broken.Output);
        Assert.Contains("Error: stage 'train': program 'Planets.Ml' did not build: 'dotnet build src/Planets.Ml/Planets.Ml.csproj", broken.Output, StringComparison.Ordinal);
        Assert.Equal(lockAfterEdit, await File.ReadAllTextAsync(Path.Combine(repository.Root, "pipeline.lock")));
        Assert.True(File.Exists(Path.Combine(repository.Root, "model", "planets-classifier.zip")));
    }

    public void Dispose() => repository.Dispose();
}
