using System.CommandLine;
using Pipeline.Core.Diffs;
using Pipeline.Core.Experiments;
using Pipeline.Core.Workspace;

namespace Pipeline.Tool;

/// <summary><c>pipeline exp</c>: the experiments ExpRun and Exp recorded.</summary>
internal static class ExperimentCommands
{
    /// <summary>The <c>exp</c> command and its subcommands.</summary>
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Every parameter, not only those that differ between the experiments" };
        var sortBy = new Option<string?>("--sort-by") { Description = "A column to sort by, e.g. evaluation/metrics.json:val_acc (numbers as numbers, missing values last)" };
        var sortOrder = new Option<string>("--sort-order") { Description = "asc or desc", DefaultValueFactory = _ => "asc" };
        sortOrder.AcceptOnlyFromAmong("asc", "desc");
        var format = new Option<string>("--format") { Description = "text, md, csv or json (every record whole)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong([.. DiffTable.FormatNames]);
        var output = Commands.OutputOption();
        var repository = Commands.RepositoryOption();

        var show = new Command("show", "The recorded experiments side by side: parameters that differ, metrics, as ExpShow prints them")
        {
            all, sortBy, sortOrder, format, output, repository,
        };
        show.SetAction(async (parse, cancellationToken) =>
        {
            var root = Commands.RootOf(parse.GetValue(repository));
            var records = await ExperimentStore.In(root, new PipelineSettings()).ListAsync(cancellationToken);
            var text = ExperimentTable.Show(records, parse.GetValue(format)!, parse.GetValue(all), parse.GetValue(sortBy), parse.GetValue(sortOrder) == "desc");
            await Commands.WriteAsync(text, parse.GetValue(output), cancellationToken);
        });
        return new Command("exp", "Experiments") { show };
    }
}
