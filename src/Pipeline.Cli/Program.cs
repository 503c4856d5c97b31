using System.CommandLine;
using System.Text;
using Pipeline.Core;
using Pipeline.Core.Experiments;
using Pipeline.Core.Workspace;
using Pipeline.Storage;

// The read-only commands, without Cake: starting Cake and its script takes about a second before a target's own work,
// which a table over a thousand experiments should not wait for. They read what the targets write, through the same
// engine types, and print data to stdout (errors to stderr, exit code 1).
var all = new Option<bool>("--all") { Description = "Every parameter, not only those that differ between the experiments" };
var sortBy = new Option<string?>("--sort-by") { Description = "A column to sort by, e.g. evaluation/metrics.json:val_acc (numbers as numbers, missing values last)" };
var sortOrder = new Option<string>("--sort-order") { Description = "asc or desc", DefaultValueFactory = _ => "asc" };
sortOrder.AcceptOnlyFromAmong("asc", "desc");
var format = new Option<string>("--format") { Description = "text, md, csv or json (every record whole)", DefaultValueFactory = _ => "text" };
format.AcceptOnlyFromAmong([.. ExperimentTable.Formats]);
var output = new Option<FileInfo?>("--out") { Description = "Write to this file (whole, by rename) instead of stdout" };
var repository = new Option<DirectoryInfo?>("--repository", "-C") { Description = "The repository (default: the nearest folder up from here with a .pipeline folder)" };

var show = new Command("show", "The recorded experiments side by side: parameters that differ, metrics, as ExpShow prints them")
{
    all, sortBy, sortOrder, format, output, repository,
};
show.SetAction((parse, cancellationToken) => Commands.RunAsync(async () =>
{
    var root = Commands.RootOf(parse.GetValue(repository));
    var records = await ExperimentStore.In(root, new PipelineSettings()).ListAsync(cancellationToken);
    var text = ExperimentTable.Show(records, parse.GetValue(format)!, parse.GetValue(all), parse.GetValue(sortBy), parse.GetValue(sortOrder) == "desc");
    await Commands.WriteAsync(text, parse.GetValue(output), cancellationToken);
}));

var root = new RootCommand("Reads a pipeline's records without starting Cake; the targets (dotnet cake --target=...) run and change things.")
{
    new Command("exp", "Experiments") { show },
};
return await root.Parse(args).InvokeAsync();

/// <summary>What every command shares: finding the repository, writing the result, turning failures into one line.</summary>
internal static class Commands
{
    /// <summary>Runs <paramref name="command"/>; a pipeline error is one line on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(Func<Task> command)
    {
        try
        {
            await command();
            return 0;
        }
        catch (PipelineException e)
        {
            await Console.Error.WriteLineAsync($"Error: {e.Message}");
            return 1;
        }
    }

    /// <summary><paramref name="given"/>, or the nearest folder up from the current one holding a <c>.pipeline</c> folder, or the current one.</summary>
    public static string RootOf(DirectoryInfo? given)
    {
        if (given is not null)
        {
            return given.Exists ? given.FullName : throw new PipelineException($"--repository {given}: no such folder");
        }

        var dataFolder = new PipelineSettings().DataFolder;
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            if (Directory.Exists(Path.Combine(folder.FullName, dataFolder)))
            {
                return folder.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="file"/> by rename, or to stdout.</summary>
    public static async Task WriteAsync(string text, FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            await Console.Out.WriteAsync(text.AsMemory(), cancellationToken);
            return;
        }

        await AtomicFile.WriteAllBytesAsync(file.FullName, Encoding.UTF8.GetBytes(text), cancellationToken);
    }
}
