using Pipeline.Core.Execution;
using Pipeline.Core.Graph;
using Pipeline.Core.Stages;
using Pipeline.Core.Workspace;
using Pipeline.Storage.Cache;
using Pipeline.Storage.Hashing;

namespace Pipeline.Testing;

/// <summary>
/// A small three-stage pipeline (prepare -> train -> evaluate) whose commands are shell one-liners,
/// each appending to runs/STAGE so tests can tell which stages really ran.
/// </summary>
public sealed class ScenarioRepo : IDisposable
{
    private readonly TempFolder temp = new();

    public ScenarioRepo(LinkType linkType = LinkType.Copy)
    {
        LinkType = linkType;
        temp.Write("raw/a.txt", "alpha");
        temp.Write("raw/b.txt", "beta");
        temp.Write("params.yaml", "prepare:\n  seed: 77\ntrain:\n  epochs: 5\n  lr: 0.0001\n");
        Directory.CreateDirectory(temp["runs"]);
    }

    public LinkType LinkType { get; }

    /// <summary>The algorithm the repository records new hashes with.</summary>
    public ContentHashAlgorithm HashAlgorithm { get; set; } = ContentHashAlgorithm.Md5;

    public string Root => temp.Path;

    public string this[string relative] => temp[relative];

    public static IReadOnlyList<StageDefinition> Stages { get; } =
    [
        new("prepare", Shell("mkdir -p prepared && cat raw/a.txt > prepared/a && cat raw/b.txt > prepared/b && echo x >> runs/prepare"))
        {
            Dependencies = ["raw"], Parameters = ["prepare"], Outputs = ["prepared"],
        },
        new("train", Shell("mkdir -p model && cat prepared/* params.yaml > model/weights && echo x >> runs/train"))
        {
            Dependencies = ["prepared"], Parameters = ["train.epochs", "train.lr"], Outputs = ["model"],
        },
        new("evaluate", Shell("mkdir -p evaluation && md5sum model/weights > evaluation/metrics.json && echo x >> runs/evaluate"))
        {
            Dependencies = ["model"], Metrics = ["evaluation/metrics.json"],
        },
    ];

    public List<string> Warnings { get; } = [];

    public static CommandLine Shell(string script) => CommandLine.Of("sh", "-c", script);

    public void Write(string relative, string content) => temp.Write(relative, content);

    public int Runs(string stage) => File.Exists(temp[$"runs/{stage}"]) ? File.ReadAllLines(temp[$"runs/{stage}"]).Length : 0;

    public List<string> Messages { get; } = [];

    public string Git(params string[] arguments) => TestGit.Run(Root, arguments);

    public StageRunner Runner(PipelineWorkspace workspace) =>
        new(workspace, new ProcessCommandRunner(Stream.Null, Stream.Null), new RecordingLog(Warnings, Messages));

    public async Task<Dictionary<string, StageOutcome>> ReproAsync(bool force = false, IReadOnlyList<StageDefinition>? stages = null)
    {
        var graph = PipelineGraph.Build(stages ?? Stages);
        await using var workspace = await OpenAsync();
        var runner = Runner(workspace);
        var outcomes = new Dictionary<string, StageOutcome>();
        foreach (var stage in graph.Stages)
        {
            outcomes[stage.Name] = await runner.ReproduceAsync(stage, new ReproOptions(force), CancellationToken.None);
        }

        return outcomes;
    }

    public Task<PipelineWorkspace> OpenAsync() =>
        PipelineWorkspace.OpenAsync(Root, new PipelineSettings { LinkTypes = [LinkType], HashAlgorithm = HashAlgorithm }, CancellationToken.None);

    public void Dispose() => temp.Dispose();
}
