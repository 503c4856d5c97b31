using System.Diagnostics;
using System.Runtime.InteropServices;
using Cake.Core;
using Pipeline.Cake;
using Pipeline.Core.Stages;
using Planets.Build.Stages;
using Pipeline.Core.Execution;

namespace Planets.Build.Targets;

/// <summary>
/// The <c>Serve</c> target: the prediction service, built from the sources first, on the model store's latest model
/// (or <c>--model=TAG</c>), on port 3000 unless <c>--urls</c> says otherwise. Ctrl+C or SIGTERM (as CI runners and
/// process managers send) stops the service, and the target ends when the service has.
/// </summary>
internal static partial class ServeTarget
{
    // The remotes the service ships its prediction log to, and the engine they are built on.
    private static readonly string[] RemoteSources = ["src/Pipeline.Remotes.S3", "src/Pipeline.Remotes", "src/Pipeline.Core", "src/Pipeline.Storage"];

    /// <summary>The prediction service as the pipeline builds it.</summary>
    public static StageProgram Program { get; } =
        DotNetProgram.Release("Planets.Serving", "src/Planets.Serving/Planets.Serving.csproj", ["src/Planets.Serving", MlProgram.Models, MlProgram.ModelStore, MlProgram.Monitoring, MlProgram.Programs, .. RemoteSources],
            ["Planets.Serving", "Planets.Models", "Pipeline.Models", "Pipeline.Monitoring", "Pipeline.Programs", "Pipeline.Remotes.S3", "Pipeline.Remotes", "Pipeline.Core", "Pipeline.Storage"]);

    public static void Register(Func<string, CakeTaskBuilder> task) =>
        task("Serve")
            .Description("Serves the latest model (--model=TAG, --urls=http://127.0.0.1:3000) with POST /predict, the upload page and /docs")
            .Does(context =>
            {
                var options = new TargetOptions(context);
                return RunAsync(context, "serve", "--model", options.Text("model", null, "latest")!, "--urls", options.Text("urls", null, "http://127.0.0.1:3000")!);
            });

    /// <summary>Builds the service from the sources when they changed, then runs its <paramref name="arguments"/> until it stops.</summary>
    /// <exception cref="CakeException">The service exits with an error.</exception>
    public static async Task RunAsync(ICakeContext context, params string[] arguments)
    {
        await PipelinePrograms.EnsureBuiltAsync(context, Program, RunStopping.Token);
        var exitCode = await ServeAsync([Program.Outputs[0], .. arguments]);
        if (exitCode != 0)
        {
            throw new CakeException($"the prediction service exited with code {exitCode}");
        }
    }

    private static async Task<int> ServeAsync(string[] arguments)
    {
        using var service = Process.Start(new ProcessStartInfo("dotnet", arguments) { UseShellExecute = false })
            ?? throw new CakeException("cannot start the prediction service (dotnet)");

        // SIGTERM reaches this process only: pass it on and wait, so the service shuts down cleanly and never outlives
        // the target. Ctrl+C reaches the whole process group, the service included: just wait for it.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            _ = Kill(service.Id, Sigterm);
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => signal.Cancel = true);
        await service.WaitForExitAsync();
        return service.ExitCode;
    }

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
