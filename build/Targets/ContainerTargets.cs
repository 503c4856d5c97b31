using System.Diagnostics;
using System.Text.Json;
using Cake.Common.Diagnostics;
using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.MSBuild;
using Cake.Common.Tools.DotNet.Publish;
using Cake.Core;
using Pipeline.Cake;
using Pipeline.Containers;
using Pipeline.Core.Execution;
using Pipeline.Models;
using Planets.Build.Packaging;
using Planets.Build.Stages;
using Path = System.IO.Path;

namespace Planets.Build.Targets;

/// <summary>
/// <c>Build</c> (the service bundle), <c>Containerize</c> (the service image), <c>ContainerizeTraining</c> (the
/// training image) and <c>PushImage</c> (to the registry, recording the digest for <c>Deploy</c>).
/// </summary>
internal static class ContainerTargets
{
    // The train stage's archive, which the bundle is made from.
    private const string ModelArchive = $"{TrainStage.Model}/{ServiceBundle.ArchiveFile}";

    public static void Register(Func<string, CakeTaskBuilder> task)
    {
        task("Build").Description("Makes the service bundle: the published service, the trained model's store and bundle.json")
            .IsDependentOn("train")
            .Does(context => BuildBundleAsync(context, RunStopping.Token));
        task("Containerize").Description("Builds the service image through the Docker Engine API (--base-image, --docker-host); tags latest and the commit")
            .IsDependentOn("Build")
            .Does(context => ContainerizeServiceAsync(context, RunStopping.Token));
        task("ContainerizeTraining").Description("Builds the training image: the ML program and libtorch (--training-base-image, --docker-host)")
            .Does(context => ContainerizeTrainingAsync(context, RunStopping.Token));
        task("PushImage").Description("Pushes an image (--image=service|training) to the registry (--registry, REGISTRY_USERNAME/REGISTRY_PASSWORD) and records its digest")
            .Does(context => PushAsync(context, RunStopping.Token));
    }

    private static async Task BuildBundleAsync(ICakeContext context, CancellationToken cancellationToken)
    {
        var root = context.Environment.WorkingDirectory.FullPath;
        var archive = Path.Combine(root, ModelArchive);
        var target = Path.Combine(root, ServiceBundle.DefaultDirectory);
        var staging = $"{target}.staging-{Guid.NewGuid():N}";
        try
        {
            var app = Path.Combine(staging, ServiceBundle.AppFolder);
            await using (await PipelinePrograms.LockAsync(context, ServeTarget.Program, cancellationToken))
            {
                Publish(context, "src/Planets.Serving/Planets.Serving.csproj", app);
            }

            var model = await ImportModelAsync(archive, Path.Combine(staging, ServiceBundle.ModelsFolder), cancellationToken);
            File.Copy(archive, Path.Combine(staging, ServiceBundle.ArchiveFile));
            var manifest = new BundleManifest(
                ServiceBundle.Name,
                model,
                await ServiceBundle.Sha256Async(archive, cancellationToken),
                FileVersionInfo.GetVersionInfo(Path.Combine(app, ServiceBundle.EntryAssembly)).ProductVersion ?? "unknown",
                RuntimeVersion(Path.Combine(app, "Planets.Serving.runtimeconfig.json")),
                await SourceInfo.RevisionAsync(root, cancellationToken));
            await ServiceBundle.WriteManifestAsync(staging, manifest, cancellationToken);
            ServiceBundle.Replace(staging, target);
            context.Information($"Bundle {ServiceBundle.DefaultDirectory}: {manifest.Model}, service {manifest.ServiceVersion}, .NET {manifest.DotnetRuntime}");
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static async Task ContainerizeServiceAsync(ICakeContext context, CancellationToken cancellationToken)
    {
        var options = ContainerOptions.From(context);
        var root = context.Environment.WorkingDirectory.FullPath;
        var bundle = await ServiceBundle.ReadAsync(Path.Combine(root, ServiceBundle.DefaultDirectory), cancellationToken);
        var source = await SourceInfo.ReadAsync(root, cancellationToken);
        var labels = source.Labels(ServiceBundle.Name, options.BaseImage).Add("org.opencontainers.image.version", bundle.Manifest.ModelVersion)
            .Add("io.planets.model", bundle.Manifest.Model);
        var settings = ServiceImage.Settings(bundle, options.BaseImage, Tags(ServiceBundle.Name, source), labels);
        BuildImage(context, options, settings);
    }

    private static async Task ContainerizeTrainingAsync(ICakeContext context, CancellationToken cancellationToken)
    {
        var options = ContainerOptions.From(context);
        var root = context.Environment.WorkingDirectory.FullPath;
        var program = Path.Combine(root, "artifacts", "publish", TrainingImage.Name, "ml");
        var worker = Path.Combine(root, "artifacts", "publish", TrainingImage.Name, "worker");
        // The image says which sources its program was built from; a training pod's worker refuses a run whose
        // stage expects others, so a pod never trains with a program older than the lock file would record.
        var programSources = await PipelinePrograms.SourcesHashAsync(context, MlProgram.Program, cancellationToken);
        await using (await PipelinePrograms.LockAsync(context, MlProgram.Program, cancellationToken))
        {
            Publish(context, $"{MlProgram.Source}/Planets.Ml.csproj", program);
        }

        Publish(context, "src/Pipeline.Worker/Pipeline.Worker.csproj", worker);
        var source = await SourceInfo.ReadAsync(root, cancellationToken);
        var settings = TrainingImage.Settings(program, worker, programSources, options.TrainingBaseImage, Tags(TrainingImage.Name, source), source.Labels(TrainingImage.Name, options.TrainingBaseImage));
        BuildImage(context, options, settings);
    }

    private static void BuildImage(ICakeContext context, ContainerOptions options, ImageBuildSettings settings) =>
        context.BuildImage(settings with { DockerHost = options.DockerHost });

    private static async Task PushAsync(ICakeContext context, CancellationToken cancellationToken)
    {
        var options = ContainerOptions.From(context);
        var name = options.Image == "training" ? TrainingImage.Name : ServiceBundle.Name;
        var root = context.Environment.WorkingDirectory.FullPath;
        var source = await SourceInfo.ReadAsync(root, cancellationToken);
        var credentials = RegistryCredentials.FromEnvironment();
        PushedImage? main = null;
        foreach (var tag in Tags(name, source))
        {
            var pushed = context.PushImage(new ImagePushSettings(tag.ToString(), options.InRegistry(name, tag.Tag!)) { Credentials = credentials, DockerHost = options.DockerHost });
            main ??= pushed;
        }

        var record = new PushedImageRecord(main!.Reference.Name, main.Reference.Tag!, main.Digest);
        await record.WriteAsync(root, name, cancellationToken);
        context.Information($"Digest {record.Pinned}");
    }

    private static IReadOnlyList<ImageReference> Tags(string name, SourceInfo source) =>
        source.ShortRevision is { } commit ? [ContainerOptions.Local(name, commit), ContainerOptions.Local(name, "latest")] : [ContainerOptions.Local(name, "latest")];

    private static void Publish(ICakeContext context, string project, string output) =>
        context.DotNetPublish(RealPath(Path.Combine(context.Environment.WorkingDirectory.FullPath, project)), new DotNetPublishSettings
        {
            Configuration = "Release",
            Runtime = "linux-x64",
            SelfContained = false,
            OutputDirectory = output,
            NoLogo = true,
            Verbosity = DotNetVerbosity.Quiet,
            MSBuildSettings = new DotNetMSBuildSettings()
                .WithProperty("PublishDocumentationFiles", "false")
                .WithProperty("PublishReferencesDocumentationFiles", "false"),
        });

    // MSBuild finds Directory.Build.props and the artifacts folder from the project's path as given; through a
    // linked folder that would be a second copy of the same project, with its own restore state.
    private static string RealPath(string path)
    {
        var real = Path.GetPathRoot(path)!;
        foreach (var part in path[real.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            real = Path.Combine(real, part);
            if (new FileInfo(real).LinkTarget is not null)
            {
                real = new FileInfo(real).ResolveLinkTarget(returnFinalTarget: true)!.FullName;
            }
        }

        return real;
    }

    // The store's import checks every file of the archive against its manifest; the tag it stores the model as is the archive's.
    private static async Task<string> ImportModelAsync(string archive, string store, CancellationToken cancellationToken)
    {
        if (!File.Exists(archive))
        {
            throw new CakeException($"{ModelArchive} not found: train the model first (--target=Repro, or --target=Pull)");
        }

        try
        {
            return (await new ModelStore(store).ImportAsync(archive, cancellationToken)).Tag.ToString();
        }
        catch (ModelStoreException e)
        {
            throw new CakeException($"{ModelArchive}: {e.Message}");
        }
    }

    private static string RuntimeVersion(string runtimeConfig)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(runtimeConfig));
        var options = document.RootElement.GetProperty("runtimeOptions");
        var frameworks = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList() : [options.GetProperty("framework")];
        return string.Join(", ", frameworks.Select(f => $"{f.GetProperty("name").GetString()} {f.GetProperty("version").GetString()}"));
    }
}
