using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using CliWrap;
using CliWrap.Buffered;
using Pipeline.Models;

namespace Planets.Build.Tests;

/// <summary>
/// The framework as another repository gets it: the <c>Pack</c> target's packages in a folder feed, a repository made
/// from the template outside this one, its pipeline run with the Cake addin restored from that feed (third-party
/// packages from nuget.org, into a package folder of its own so no earlier build is reused).
/// </summary>
public sealed class PackageTests(PackageTests.Feed feed) : IClassFixture<PackageTests.Feed>
{
    // The shared framework's assemblies (not the test's own dependencies, which the host also trusts).
    private static readonly HashSet<string> Framework = [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(path => path.StartsWith(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), StringComparison.Ordinal))
        .Select(path => Path.GetFileNameWithoutExtension(path))];

    // Supplied by the Cake runner (the addin guidelines: referenced, never shipped), or by a package's own dependency.
    private static readonly string[] SuppliedElsewhere = ["Cake.Core", "Cake.Common", "AWSSDK.Core"];

    [Fact]
    public void Every_package_carries_what_users_check_and_nothing_of_this_repository()
    {
        Assert.Contains(feed.Packages, p => p.Id == "Cake.MLOps.Pipeline" && p.Tags.Contains("cake-addin"));
        Assert.Contains(feed.Packages, p => p.Id == "MLOps.Pipeline.Templates");
        Assert.Contains(feed.Packages, p => p.Id == "MLOps.Pipeline.Cli" && p.IsTool);
        foreach (var package in feed.Packages)
        {
            Assert.True(package.Metadata("license") == "MIT", $"{package.Id}: license expression");
            Assert.True(package.Metadata("readme") == "README.md" && package.Has("README.md"), $"{package.Id}: readme");
            Assert.False(string.IsNullOrWhiteSpace(package.Metadata("description")), $"{package.Id}: description");
            Assert.False(string.IsNullOrWhiteSpace(package.Metadata("authors")), $"{package.Id}: authors");
            Assert.True(package.Repository?.Attribute("commit") is not null, $"{package.Id}: repository commit (Source Link)");
            foreach (var (name, bytes) in package.Files.Concat(package.Symbols))
            {
                var text = System.Text.Encoding.Latin1.GetString(bytes);
                Assert.False(text.Contains("Planets.", StringComparison.Ordinal) || text.Contains("planets-", StringComparison.Ordinal), $"{package.Id}: {name} mentions Planets");
                Assert.False(text.Contains(RepositoryPaths.Root, StringComparison.Ordinal), $"{package.Id}: {name} holds this repository's path");
            }
        }
    }

    [Fact]
    public void Every_assembly_a_library_package_references_comes_from_a_dependency_it_declares()
    {
        var owners = feed.Packages.SelectMany(p => p.Libraries.Select(l => (Assembly: Path.GetFileNameWithoutExtension(l.Name), p.Id)))
            .ToDictionary(x => x.Assembly, x => x.Id);
        var byId = feed.Packages.ToDictionary(p => p.Id);
        foreach (var package in feed.Packages.Where(p => !p.IsTool))
        {
            // What restoring the package brings: its dependencies, theirs, and so on.
            var closure = new HashSet<string>();
            var pending = new Stack<string>(package.Dependencies);
            while (pending.TryPop(out var next))
            {
                if (closure.Add(next) && byId.TryGetValue(next, out var dependency))
                {
                    dependency.Dependencies.ToList().ForEach(pending.Push);
                }
            }

            foreach (var (name, bytes) in package.Libraries)
            {
                using var reader = new PEReader(new MemoryStream(bytes));
                var metadata = reader.GetMetadataReader();
                foreach (var reference in metadata.AssemblyReferences.Select(r => metadata.GetString(metadata.GetAssemblyReference(r).Name)))
                {
                    var declared = owners.TryGetValue(reference, out var owner)
                        ? owner == package.Id || closure.Contains(owner)
                        : Framework.Contains(reference) || SuppliedElsewhere.Contains(reference) || closure.Contains(reference);
                    Assert.True(declared, $"{package.Id}: {name} references {reference}, which no dependency of the package provides");
                }
            }
        }
    }

    [Fact]
    public Task A_repository_made_from_the_template_runs_its_pipeline_from_the_packages_alone() => InWorkFolderAsync(async work =>
    {
        var repo = Path.Combine(work, "adopted");
        var hive = Path.Combine(work, "template-hive");
        var installed = await RunAsync(work, "dotnet", "new", "install", feed.Template, "--debug:custom-hive", hive);
        var created = await RunAsync(work, "dotnet", "new", "mlops-pipeline", "-o", repo, "-n", "Adopted", "--debug:custom-hive", hive);
        Assert.True(created.ExitCode == 0, installed.Output + created.Output);

        var first = await RunEverydayCycleAsync(work, repo, ["prepare", "train", "evaluate"], ("lr: 0.5", "lr: 0.05"));
        var experiment = await RunAsync(repo, "dotnet", "cake", "--target=Exp", "--set=train.lr=0.1", "--name=lr-0.1");
        var shown = await RunAsync(repo, "dotnet", "pipeline", "exp", "show", "--format=csv");

        Assert.Contains("evaluate: accuracy ", first, StringComparison.Ordinal);
        Assert.True(experiment.ExitCode == 0, experiment.Output);
        Assert.True(shown.ExitCode == 0, shown.Output);
        Assert.Matches(@"\nlr-0\.1,\w+,[\d: -]+,succeeded,0\.1,", shown.Output);
    });

    [Fact]
    public Task The_churn_sample_runs_from_the_packages_alone_and_gives_its_committed_lock_file() => InWorkFolderAsync(async work =>
    {
        var sample = Path.Combine(RepositoryPaths.Root, "samples", "churn");
        var repo = Path.Combine(work, "churn");
        foreach (var file in TestGit.Run(RepositoryPaths.Root, "ls-files", "samples/churn").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var copy = Path.Combine(repo, Path.GetRelativePath("samples/churn", file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(Path.Combine(RepositoryPaths.Root, file), copy);
        }

        var first = await RunEverydayCycleAsync(work, repo, ["featurize", "train", "evaluate"], ("l2: 0.01", "l2: 0.5"));

        // The cache is empty here: features and model are made again, and come out as the committed lock file records
        // them, so the committed metrics need no new evaluation.
        Assert.Contains("Running stage 'train' (output model missing)", first, StringComparison.Ordinal);
        Assert.Contains("Stage 'evaluate' didn't change, skipping", first, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(sample, "pipeline.lock")), TestGit.Run(repo, "show", "HEAD:pipeline.lock"));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(sample, "metrics.json")), TestGit.Run(repo, "show", "HEAD:metrics.json"));

        // Its own model store entry, through the framework's store: the model the clone trained after the edit, under
        // the sample's name, with its parameters and the schema its callers need.
        var clone = Path.Combine(work, "clone");
        var stored = await new ModelStore(Path.Combine(clone, ModelStore.DefaultRoot)).GetAsync(ModelTag.Parse("churn"), CancellationToken.None);
        Assert.Equal(("ml.net", "0.5"), (stored.Manifest.Framework, stored.Manifest.Params["l2"]));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(clone, "model", "churn.zip")), await File.ReadAllBytesAsync(stored.PathOf("churn.zip")));
        Assert.Contains("\"label\": \"Label\"", await File.ReadAllTextAsync(Path.Combine(stored.Directory, ModelManifest.FileName)), StringComparison.Ordinal);
    });

    private static async Task InWorkFolderAsync(Func<string, Task> test)
    {
        var work = Directory.CreateTempSubdirectory("package-tests-").FullName;
        try
        {
            await test(work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// What a user does with the repository at <paramref name="repo"/>, its packages from the feed: Repro twice, Push
    /// to a folder remote, Pull in a clone, Status there, a parameter edit (<paramref name="edit"/>), Repro and
    /// MetricsDiff. Returns the first run's output; the first run's lock file and metrics are committed.
    /// </summary>
    private async Task<string> RunEverydayCycleAsync(string work, string repo, string[] stages, (string Text, string Replacement) edit)
    {
        var (remote, clone) = (Path.Combine(work, "remote"), Path.Combine(work, "clone"));
        await File.WriteAllTextAsync(Path.Combine(repo, "nuget.config"), feed.NuGetConfig);
        TestGit.Run(repo, "init", "--quiet");
        TestGit.Commit(repo, "as given", ".");

        var first = await RunAsync(repo, Path.Combine(repo, "build.sh"), "--target=Repro");
        var second = await RunAsync(repo, Path.Combine(repo, "build.sh"), "--target=Repro");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        foreach (var stage in stages)
        {
            Assert.Contains($"Stage '{stage}' didn't change, skipping", second.Output, StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(Path.Combine(repo, "pipeline.remotes.yaml"), $"remotes:\n  store:\n    url: {remote}\ndefault: store\n");
        var pushed = await RunAsync(repo, "dotnet", "cake", "--target=Push");
        TestGit.Commit(repo, "first run", ".");
        TestGit.Run(work, "clone", "--quiet", repo, clone);
        var pulled = await RunAsync(clone, Path.Combine(clone, "build.sh"), "--target=Pull");
        var status = await RunAsync(clone, "dotnet", "cake", "--target=Status");
        var parameters = Path.Combine(clone, "params.yaml");
        await File.WriteAllTextAsync(parameters, (await File.ReadAllTextAsync(parameters)).Replace(edit.Text, edit.Replacement, StringComparison.Ordinal));
        var changed = await RunAsync(clone, "dotnet", "cake", "--target=Repro");
        var diff = await RunAsync(clone, "dotnet", "cake", "--target=MetricsDiff");

        Assert.True(pushed.ExitCode == 0, pushed.Output);
        Assert.Matches(@"Pushed \d+ objects", pushed.Output);
        Assert.True(pulled.ExitCode == 0, pulled.Output);
        Assert.Contains("Restored model as pipeline.lock records it", pulled.Output, StringComparison.Ordinal);
        Assert.Contains("Pipeline is up to date.", status.Output, StringComparison.Ordinal);
        Assert.Contains($"Stage '{stages[0]}' didn't change, skipping", changed.Output, StringComparison.Ordinal);
        Assert.Contains($"parameter train.{edit.Text.Split(':')[0]} changed: {edit.Text.Split(": ")[1]} -> {edit.Replacement.Split(": ")[1]}", changed.Output, StringComparison.Ordinal);
        Assert.Matches(@"metrics\.json +\w+ +[\d.]+ +[\d.]+", diff.Output);
        string[] changedFiles = ["params.yaml", "pipeline.lock", "metrics.json"];
        Assert.DoesNotContain(TestGit.Run(clone, "status", "--porcelain", "--untracked-files=all").Split('\n', StringSplitOptions.RemoveEmptyEntries),
            line => !changedFiles.Contains(line[3..]));
        return first.Output;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string folder, string program, params string[] arguments)
    {
        var result = await Cli.Wrap(program).WithArguments(arguments).WithWorkingDirectory(folder)
            .WithEnvironmentVariables(env => env.Set("NUGET_PACKAGES", Feed.PackageFolder).Set("NO_COLOR", "1"))
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return (result.ExitCode, ConsoleText.Plain(result.StandardOutput + result.StandardError));
    }

    /// <summary>The <c>Pack</c> target run once (on the Release build the tests run from) into a folder feed.</summary>
    public sealed class Feed : IAsyncLifetime
    {
        private readonly string folder = Directory.CreateTempSubdirectory("package-feed-").FullName;

        /// <summary>NuGet's package folder for everything these tests restore, apart from the user's.</summary>
        public static string PackageFolder { get; } = Path.Combine(Path.GetTempPath(), "pipeline-package-tests", "packages");

        public IReadOnlyList<Package> Packages { get; private set; } = [];

        public string Template => Packages.Single(p => p.Id == "MLOps.Pipeline.Templates").File;

        /// <summary>The feed for this framework's packages (and only it: source mapping), nuget.org for the rest.</summary>
        public string NuGetConfig => $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="feed" value="{folder}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="feed"><package pattern="MLOps.*" /><package pattern="Cake.MLOps.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """;

        public async Task InitializeAsync()
        {
            // This framework's packages have the same version until the next commit: none of an earlier pack may be reused.
            foreach (var earlier in Directory.Exists(PackageFolder) ? Directory.GetDirectories(PackageFolder, "*mlops.*") : [])
            {
                Directory.Delete(earlier, recursive: true);
            }

            var result = await Cli.Wrap("dotnet").WithArguments(["cake", "--target=Pack", "--no-build", $"--package-output={folder}"])
                .WithWorkingDirectory(RepositoryPaths.Root).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
            Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
            Packages = [.. Directory.GetFiles(folder, "*.nupkg").Order(StringComparer.Ordinal).Select(Package.Read)];
        }

        public Task DisposeAsync()
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }
    }

    /// <summary>A package's manifest and files, and its symbol package's files.</summary>
    public sealed record Package(string File, XElement Manifest, IReadOnlyList<(string Name, byte[] Bytes)> Files, IReadOnlyList<(string Name, byte[] Bytes)> Symbols)
    {
        public string Id => Metadata("id")!;

        public IReadOnlyList<string> Tags => (Metadata("tags") ?? "").Split(' ');

        public bool IsTool => Manifest.Descendants(Manifest.Name.Namespace + "packageType").Any(t => (string?)t.Attribute("name") == "DotnetTool");

        public IReadOnlyList<string> Dependencies => [.. Manifest.Descendants(Manifest.Name.Namespace + "dependency").Select(d => (string)d.Attribute("id")!)];

        public XElement? Repository => Manifest.Descendants(Manifest.Name.Namespace + "repository").SingleOrDefault();

        public IEnumerable<(string Name, byte[] Bytes)> Libraries => Files.Where(f => f.Name.StartsWith("lib/", StringComparison.Ordinal) && f.Name.EndsWith(".dll", StringComparison.Ordinal));

        public string? Metadata(string name) => Manifest.Descendants(Manifest.Name.Namespace + name).FirstOrDefault()?.Value;

        public bool Has(string name) => Files.Any(f => f.Name == name);

        public static Package Read(string file)
        {
            var files = Entries(file);
            var manifest = XDocument.Load(new MemoryStream(files.Single(f => f.Name.EndsWith(".nuspec", StringComparison.Ordinal)).Bytes)).Root!;
            var symbols = Path.ChangeExtension(file, ".snupkg");
            return new Package(file, manifest, files, System.IO.File.Exists(symbols) ? Entries(symbols) : []);
        }

        private static List<(string Name, byte[] Bytes)> Entries(string file)
        {
            using var zip = ZipFile.OpenRead(file);
            return [.. zip.Entries.Where(e => e.Length > 0).Select(e =>
            {
                using var stream = e.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return (e.FullName, copy.ToArray());
            })];
        }
    }
}
