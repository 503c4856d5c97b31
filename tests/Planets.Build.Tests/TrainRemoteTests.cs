using Amazon.Runtime;
using Amazon.S3;
using Kubernetes.Emulator;
using Pipeline.Testing.Containers;
using Pipeline.Testing.S3;

namespace Planets.Build.Tests;

/// <summary>
/// TrainRemote with the real <c>dotnet cake</c>: the training image built by ContainerizeTraining in a real Docker
/// engine, the pod created through the Kubernetes API emulator, whose kubelet runs it as a container of that engine,
/// and the data moved through a real S3 server (fauxqs).
/// </summary>
public sealed class TrainRemoteTests : IAsyncLifetime, IDisposable
{
    private const string Bucket = "planets";
    private readonly RepositoryCopy repository = new();
    private DockerServers docker = null!;
    private S3Server s3 = null!;
    private DockerPodRuntime runtime = null!;
    private KubernetesEmulator cluster = null!;
    private string kubeconfig = null!;

    public async Task InitializeAsync()
    {
        docker = await DockerServers.StartAsync();
        s3 = await S3Server.StartFauxqsAsync();
        using (var client = new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = s3.Endpoint, ForcePathStyle = true }))
        {
            await client.PutBucketAsync(Bucket);
        }

        runtime = new DockerPodRuntime(docker.DockerHost);
        cluster = await KubernetesEmulator.StartAsync(runtime);
        kubeconfig = cluster.WriteKubeconfig(Path.Combine(repository.Root, "kubeconfig"));
        ClusterSecrets.AddS3Credentials(cluster);
        await File.WriteAllTextAsync(Path.Combine(repository.Root, "pipeline.remotes.yaml"), $"""
            default: storage
            remotes:
              storage:
                url: s3://{Bucket}/cache
                endpoint: {s3.Endpoint}
                path-style: true
                region: us-east-1
            """);
        repository.Environment["AWS_ACCESS_KEY_ID"] = "test";
        repository.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        TestGit.Run(repository.Root, "init", "--quiet");
        TestGit.Commit(repository.Root, "pipeline", "build.cake", "cake.config", "params.yaml", "pipeline.remotes.yaml");
    }

    [Fact]
    public async Task Train_runs_in_a_pod_that_streams_its_log_is_deleted_and_leaves_train_up_to_date()
    {
        string[] trainRemote = ["--target=TrainRemote", "--training-image=planets-training:latest", "--gpus=0", "--image-pull-policy=Never", $"--kubeconfig={kubeconfig}"];
        var image = await repository.CakeAsync("--target=ContainerizeTraining", $"--docker-host={docker.DockerHost}", $"--training-base-image={DockerServers.BaseImage}");
        Assert.True(image.ExitCode == 0, image.Output);

        // A source of the program changes after the image was built: the pod refuses to train with the old program.
        var source = Path.Combine(repository.Root, "src", "Planets.Ml", "Program.cs");
        var original = await File.ReadAllTextAsync(source);
        await File.WriteAllTextAsync(source, original + "// edited after the training image was built\n");
        var refused = await repository.CakeAsync(trainRemote);
        await File.WriteAllTextAsync(source, original);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("stage 'train': this image's program was built from sources ", refused.Output, StringComparison.Ordinal);
        Assert.Contains("rebuild and push the training image (ContainerizeTraining, then PushImage --image=training)", refused.Output, StringComparison.Ordinal);
        Assert.Single(cluster.DeletedPods);
        Assert.False(File.Exists(Path.Combine(repository.Root, "model", "planets-classifier.zip")));

        var trained = await repository.CakeAsync(trainRemote);

        Assert.True(trained.ExitCode == 0, trained.Output);
        Assert.Contains("Running stage 'train' elsewhere (it has not run yet)", trained.Output, StringComparison.Ordinal);
        Assert.Matches(@"epoch 5/5 loss [\d.]+ acc [\d.]+ val_loss", trained.Output);
        Assert.Matches(@"Stage 'train' ran in pod train-[\w-]+; its outputs are checked out and recorded in pipeline.lock", trained.Output);
        Assert.Equal(2, cluster.DeletedPods.Count);
        Assert.Empty(cluster.List("pods", "default"));
        Assert.True(File.Exists(Path.Combine(repository.Root, "model", "planets-classifier.zip")));

        var repro = await repository.CakeAsync("--target=Repro");

        Assert.True(repro.ExitCode == 0, repro.Output);
        Assert.Contains("Stage 'train' didn't change, skipping", repro.Output, StringComparison.Ordinal);
        Assert.Contains("Running stage 'evaluate' (it has not run yet)", repro.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sweep_of_four_queued_experiments_trains_as_one_indexed_job_whose_pods_run_in_docker_with_data_through_s3()
    {
        // The work trees hold what is committed: everything but what is built or produced. The copy shares the
        // prebuilt pipeline definition, which a fresh work tree's newer file times would call stale (in a real
        // repository ./build.sh stamps the definition with its sources' content, which such a work tree matches; the
        // copy holds no build/ to match); the runner gives the work tree's files old times instead.
        await File.WriteAllTextAsync(Path.Combine(repository.Root, ".gitignore"), "/artifacts\n/.pipeline/\n/data/raw/\n/data/prepared/\n/model/\n/evaluation/plots/\n/kubeconfig\n");
        var runner = Path.Combine(repository.Root, "experiment-runner.sh");
        await File.WriteAllTextAsync(runner, "#!/bin/sh\nfind . -path ./artifacts -prune -o -path ./.pipeline -prune -o -type f -exec touch -h -d @1 {} +\nexec dotnet cake \"$@\"\n");
        File.SetUnixFileMode(runner, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        TestGit.Run(repository.Root, "add", "-A");
        TestGit.Run(repository.Root, "commit", "--quiet", "-m", "everything");
        var image = await repository.CakeAsync("--target=ContainerizeTraining", $"--docker-host={docker.DockerHost}", $"--training-base-image={DockerServers.BaseImage}");
        Assert.True(image.ExitCode == 0, image.Output);
        var queued = await repository.CakeAsync("--target=Exp", "--queue", "--set=train.epochs=range(1,5)", "--name=sweep");
        Assert.True(queued.ExitCode == 0, queued.Output);

        var run = await repository.CakeAsync(
            "--target=ExpRun", "--on=kubernetes", "--parallelism=2", "--experiment-runner=./experiment-runner.sh",
            "--training-image=planets-training:latest", "--gpus=0", "--image-pull-policy=Never", $"--kubeconfig={kubeconfig}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Running 4 queued experiments, their stage 'train' on kubernetes, 2 at a time", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"job trials-[\w-]+: created in namespace default, 4 trials, 2 at a time", run.Output);
        Assert.Matches(@"job trials-[\w-]+: 4 of 4 trials done \(4 succeeded, 0 failed\)", run.Output);
        Assert.Matches(@"\[sweep-4\] epoch 4/4 loss [\d.]+", run.Output);
        foreach (var name in new[] { "sweep-1", "sweep-2", "sweep-3", "sweep-4" })
        {
            Assert.Contains($"Recorded experiment {name}: evaluation/metrics.json:", run.Output, StringComparison.Ordinal);
        }

        Assert.Empty(cluster.List("jobs", "default"));
        Assert.Empty(cluster.List("pods", "default"));
        Assert.Equal(4, cluster.DeletedPods.Count);
        var show = await repository.CakeAsync("--target=ExpShow", "--format=json");
        Assert.Contains("\"status\": \"succeeded\"", show.Output, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await cluster.DisposeAsync();
        runtime.Dispose();
        s3.Dispose();
        await docker.DisposeAsync();
    }

    public void Dispose() => repository.Dispose();
}
