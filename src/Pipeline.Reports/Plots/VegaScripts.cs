using Pipeline.Core;

namespace Pipeline.Reports.Plots;

/// <summary>The browser builds of Vega, Vega-Lite and vega-embed this assembly carries, inlined in every plots page.</summary>
internal static class VegaScripts
{
    private static readonly string[] Names = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"];

    /// <summary>The three scripts, in the order a page loads them.</summary>
    /// <exception cref="PipelineException">This build was made without them.</exception>
    public static async Task<IReadOnlyList<string>> LoadAsync(CancellationToken cancellationToken)
    {
        var scripts = new List<string>(Names.Length);
        foreach (var name in Names)
        {
            await using var stream = typeof(VegaScripts).Assembly.GetManifestResourceStream(name)
                ?? throw new PipelineException(
                    $"this build of Pipeline.Reports has no {name}: it was built before the npm packages vega, vega-lite and vega-embed were installed (run scripts/setup-native.sh, or npm ci in src/Pipeline.Reports/Vega, then ./build.sh)");
            using var reader = new StreamReader(stream);
            scripts.Add(await reader.ReadToEndAsync(cancellationToken));
        }

        return scripts;
    }
}
