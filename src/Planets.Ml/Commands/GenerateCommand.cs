using System.CommandLine;
using System.Globalization;
using Pipeline.Programs;
using Planets.Ml.Cli;
using Planets.Ml.Common;
using Planets.Ml.Synthetic;

namespace Planets.Ml.Commands;

/// <summary><c>generate &lt;raw-dir&gt; [--per-class N]</c>: writes a small synthetic dataset.</summary>
internal static class GenerateCommand
{
    /// <summary>
    /// Images per class when <c>--per-class</c> is not given: as many as the real dataset has, so the default
    /// parameters take as many optimiser steps on it as on the real photos and the model visibly learns.
    /// </summary>
    public const int DefaultPerClass = 146;

    /// <summary>The <c>generate</c> command.</summary>
    public static Command Create()
    {
        var rawDir = MlOptions.Folder("raw-dir", "Where the images go, a folder per class");
        var perClass = new Option<int>("--per-class")
        {
            Description = "Images per class",
            DefaultValueFactory = _ => DefaultPerClass,
            HelpName = "n",
            CustomParser = result => int.TryParse(result.Tokens[^1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : CommandLineProgram.Reject<int>(result, $"--per-class must be a positive integer, got '{result.Tokens[^1].Value}'"),
        };
        var command = new Command("generate", "Writes a synthetic dataset of planet and moon images") { rawDir, perClass };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(rawDir)!, parse.GetValue(perClass), parse.InvocationConfiguration.Output, ct));
        return command;
    }

    private static async Task RunAsync(string rawDir, int perClass, TextWriter stdout, CancellationToken cancellationToken)
    {
        foreach (var className in PlanetPainter.Classes)
        {
            var classDir = Path.Combine(rawDir, className);
            Directory.CreateDirectory(classDir);
            for (var n = 0; n < perClass; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var bitmap = PlanetPainter.Paint(className, n);
                var path = Path.Combine(classDir, string.Create(CultureInfo.InvariantCulture, $"{className}_{n}.jpg"));
                await AtomicFile.WriteAllBytesAsync(path, PlanetPainter.EncodeJpeg(bitmap), cancellationToken).ConfigureAwait(false);
            }
        }

        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"generate: wrote {perClass * PlanetPainter.Classes.Count} images ({perClass} per class, {PlanetPainter.Classes.Count} classes) to {rawDir}")).ConfigureAwait(false);
    }
}
