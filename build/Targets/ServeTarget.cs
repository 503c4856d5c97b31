using Cake.Common;
using Cake.Core;
using Cake.Core.IO;

namespace Planets.Build.Targets;

/// <summary>
/// The <c>Serve</c> target: the prediction service on the model store's latest model (or <c>--model=TAG</c>), on
/// port 3000 unless <c>--urls</c> says otherwise; Ctrl+C stops it.
/// </summary>
internal static class ServeTarget
{
    private const string Program = "artifacts/bin/Planets.Serving/release/Planets.Serving.dll";

    public static void Register(Func<string, CakeTaskBuilder> task) =>
        task("Serve")
            .Description("Serves the latest model (--model=TAG, --urls=http://127.0.0.1:3000) with POST /predict, the upload page and /docs")
            .Does(context =>
            {
                var arguments = new ProcessArgumentBuilder()
                    .Append(Program).Append("serve")
                    .Append("--model").AppendQuoted(TargetOptions.Get(context, "model", null, "latest")!)
                    .Append("--store").AppendQuoted(".pipeline/models")
                    .Append("--urls").AppendQuoted(TargetOptions.Get(context, "urls", null, "http://127.0.0.1:3000")!);
                var exitCode = context.StartProcess("dotnet", new ProcessSettings { Arguments = arguments });
                if (exitCode != 0)
                {
                    throw new CakeException($"the prediction service exited with code {exitCode}");
                }
            });
}
