using System.CommandLine;
using Pipeline.Models;
using Planets.Ml.Config;

namespace Planets.Ml.Cli;

/// <summary>The options several commands share, made once.</summary>
internal static class MlOptions
{
    /// <summary><c>--params FILE</c>: the parameters file.</summary>
    public static Option<string> Params() => new("--params")
    {
        Description = "The parameters file",
        DefaultValueFactory = _ => ParamsLoader.DefaultPath,
        HelpName = "file",
    };

    /// <summary><c>--store DIR</c>: the model store.</summary>
    public static Option<string?> Store() => new("--store")
    {
        Description = $"The model store (default: ${ModelStore.RootVariable}, else {ModelStore.DefaultRoot})",
        HelpName = "dir",
    };

    /// <summary>A folder argument named <paramref name="name"/>.</summary>
    public static Argument<string> Folder(string name, string description) => new(name) { Description = description };
}
