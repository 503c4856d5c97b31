using System.Globalization;
using Planets.Ml.Cli;
using Planets.Ml.Common;
using Planets.Ml.Synthetic;

namespace Planets.Ml.Commands;

/// <summary><c>generate &lt;raw-dir&gt; [--per-class N]</c>: writes a small synthetic dataset.</summary>
internal sealed class GenerateCommand : ICommand
{
    /// <summary>
    /// Images per class when <c>--per-class</c> is not given: as many as the real dataset has, so the default
    /// parameters take as many optimiser steps on it as on the real photos and the model visibly learns.
    /// </summary>
    public const int DefaultPerClass = 146;

    private const string Usage = "generate <raw-dir> [--per-class N]";

    /// <inheritdoc />
    public async Task RunAsync(IReadOnlyList<string> args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var parsed = ParsedArgs.Parse("generate", args, ["per-class"]);
        parsed.ExpectPositionals(Usage, 1);
        var rawDir = parsed.Positionals[0];
        var perClass = parsed.PositiveIntOption("generate", "per-class", DefaultPerClass);
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
