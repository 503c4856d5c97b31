using System.Collections.Immutable;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Parameters;
using Pipeline.Storage.Hashing;

namespace Pipeline.Core.Tests;

public sealed class LockFileTests : IDisposable
{
    private readonly TempFolder temp = new();

    private static readonly StageLock Train = new(
        "dotnet ml.dll train data/prepared model",
        [new PathState("data/prepared", new ContentInfo(new ContentHash("0123456789abcdef0123456789abcdef.dir", ContentHashAlgorithm.Md5), 2048, 3))],
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, ParameterValue>
        {
            ["train.lr"] = ParameterValue.Of(0.0001),
            ["train.epochs"] = ParameterValue.Of(5L),
            ["train.device"] = ParameterValue.Of("auto"),
            ["train.tricky"] = ParameterValue.Of("true"),
            ["train.size"] = ParameterValue.List([ParameterValue.Of(32L), ParameterValue.Of(32L)]),
        }),
        [new PathState("model", new ContentInfo(new ContentHash("fedcba9876543210fedcba9876543210", ContentHashAlgorithm.Md5), 512, null))]);

    [Fact]
    public async Task A_lock_file_reads_back_exactly_as_written()
    {
        var store = new LockFileStore(temp["pipeline.lock"]);
        var written = LockFile.Empty.With("train", Train);

        await store.WriteAsync(written, CancellationToken.None);
        var read = await store.ReadAsync(CancellationToken.None);

        var stage = read.Find("train")!;
        Assert.Equal(Train.Command, stage.Command);
        Assert.Equal(Train.Dependencies.ToList(), stage.Dependencies.ToList());
        Assert.Equal(Train.Outputs.ToList(), stage.Outputs.ToList());
        Assert.Equal(Train.Parameters, stage.Parameters);
        Assert.IsType<string>(stage.Parameters["train.tricky"].Scalar);
    }

    [Fact]
    public void The_text_is_stable_and_sorted_whatever_order_stages_were_added_in()
    {
        var one = LockFile.Empty.With("train", Train).With("evaluate", Train with { Command = "x" });
        var two = LockFile.Empty.With("evaluate", Train with { Command = "x" }).With("train", Train);

        var text = LockFileStore.Format(one);

        Assert.Equal(text, LockFileStore.Format(two));
        Assert.True(text.IndexOf("evaluate:", StringComparison.Ordinal) < text.IndexOf("train:", StringComparison.Ordinal));
        Assert.Contains("md5: 0123456789abcdef0123456789abcdef.dir", text, StringComparison.Ordinal);
        Assert.Contains("nfiles: 3", text, StringComparison.Ordinal);
        Assert.Contains("train.size: [32, 32]", text, StringComparison.Ordinal);
        Assert.Contains("train.tricky: \"true\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_lock_file_is_reported_by_name()
    {
        temp.Write("pipeline.lock", "schema: '1'\nstages:\n  train:\n    cmd: [unclosed\n");
        var store = new LockFileStore(temp["pipeline.lock"]);

        var error = await Assert.ThrowsAsync<PipelineException>(() => store.ReadAsync(CancellationToken.None));

        Assert.StartsWith("pipeline.lock: not a valid lock file", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => temp.Dispose();
}
