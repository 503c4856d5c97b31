using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Options;
using Pipeline.Programs;
using Pipeline.Models;
using Planets.Serving.Inference;

namespace Planets.Serving.Cli;

/// <summary>
/// The program's commands: <c>serve</c> (also with no command) runs the prediction service, as <c>bentoml serve</c>;
/// <c>label</c> the labeling page; <c>probe</c> the container's health check. The model store itself is the
/// <c>pipeline</c> tool's (<c>dotnet pipeline models list</c>). The switches are checked here and then read by the
/// service's configuration (<see cref="ServingApp.Switches"/>), where <c>PLANETS_SERVING_</c> variables also set them.
/// </summary>
public static class ServingCommandLine
{
    private const string DefaultProbeUrl = "http://127.0.0.1:3000/readyz";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Runs the command line and returns the exit code (<see cref="ExitCodes"/>).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var serve = ServiceCommand("serve", "Runs the prediction service (the default command)", labeling: false);
        var root = new RootCommand("The planets and moons prediction service, its Label Studio ML backend and labeling page")
        {
            serve,
            ServiceCommand("label", "Serves the labeling page at /label: the images pre-labelled by the model, least confident first, in the Label Studio editor", labeling: true),
            ProbeCommand(),
        };
        foreach (var option in serve.Options)
        {
            root.Options.Add(option);
        }

        root.Action = serve.Action;
        var console = new ProgramConsole(stdout, stderr)
        {
            IsUserError = e => e is ModelStoreException or FormatException or ArgumentException or InvalidOperationException,
        };
        return CommandLineProgram.InvokeAsync(root, args, console, CancellationToken.None);
    }

    // Each switch may be given again: the last one counts, as in the service's configuration (an image's entry point
    // says --urls, and `docker run image --urls ...` overrides it).
    private static Command ServiceCommand(string name, string description, bool labeling)
    {
        var command = new Command(name, description);
        var switches = ServingApp.Switches.Where(s => labeling || !s.Labeling)
            .Select(s => (s.Name, s.Description))
            .Append(("--urls", $"The addresses to listen on (default {ServingApp.DefaultUrls})"));
        foreach (var (switchName, switchDescription) in switches)
        {
            command.Options.Add(new Option<string[]>(switchName) { Description = switchDescription, Arity = ArgumentArity.OneOrMore, HelpName = "value", Required = labeling && switchName == "--images" });
        }

        command.SetAction((parse, _) => ServeAsync(parse, parse.InvocationConfiguration.Error));
        return command;
    }

    private static Command ProbeCommand()
    {
        var url = new Argument<Uri>("url")
        {
            Description = "The address to ask",
            DefaultValueFactory = _ => new Uri(DefaultProbeUrl),
            CustomParser = result => Uri.TryCreate(result.Tokens[0].Value, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"
                ? parsed
                : CommandLineProgram.Reject<Uri>(result, $"probe: '{result.Tokens[0].Value}' is not an http:// or https:// address"),
        };
        var command = new Command("probe", "Exits 0 when the address answers 2xx: a container health check that needs no shell or curl in the image") { url };
        command.SetAction((parse, _) => ProbeAsync(parse.GetValue(url)!, parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> ServeAsync(ParseResult parse, TextWriter stderr)
    {
        // The switches as given, in order, for the service's configuration to read.
        string[] args = [.. parse.CommandResult.Children.OfType<OptionResult>().Where(o => !o.Implicit)
            .SelectMany(o => o.Tokens.SelectMany(token => new[] { o.Option.Name, token.Value }))];
        await using var app = ServingApp.Build(args);
        var options = app.Services.GetRequiredService<IOptions<ServingOptions>>().Value;
        // Fail now, with one line, rather than start a service that can never become ready.
        var model = await ModelStore.Open(options.Store)
            .GetAsync(ModelTag.Parse(options.Model, options.DefaultModelName), CancellationToken.None).ConfigureAwait(false);
        await stderr.WriteLineAsync($"serve: model {model.Tag} from {model.Directory}").ConfigureAwait(false);
        await app.RunAsync().ConfigureAwait(false);
        return Environment.ExitCode;
    }

    private static async Task<int> ProbeAsync(Uri url, TextWriter stderr)
    {
        using var client = new HttpClient { Timeout = ProbeTimeout };
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return ExitCodes.Success;
            }

            await stderr.WriteLineAsync($"{CommandLineProgram.ErrorPrefix}probe: {url} answered {(int)response.StatusCode}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"{CommandLineProgram.ErrorPrefix}probe: {url}: {ex.Message}").ConfigureAwait(false);
        }

        return ExitCodes.UserError;
    }
}
