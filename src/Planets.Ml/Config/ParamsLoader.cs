using System.Globalization;
using Planets.Ml.Cli;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Planets.Ml.Config;

/// <summary>Reads params.yaml and turns every mistake into one error line naming the file and field.</summary>
internal static class ParamsLoader
{
    /// <summary>The file read when no <c>--params</c> option is given.</summary>
    public const string DefaultPath = "params.yaml";

    /// <summary>Loads and validates the params file.</summary>
    public static async Task<MlParams> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new UserErrorException($"{path}: file not found (run from the repository root or pass --params <file>)");
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var raw = Deserialize(path, text);
        var prepare = raw.Prepare ?? throw new UserErrorException($"{path}: missing section 'prepare'");
        var train = raw.Train ?? throw new UserErrorException($"{path}: missing section 'train'");
        return new MlParams(path, ValidatePrepare(path, prepare), ValidateTrain(path, train));
    }

    private static RawParams Deserialize(string path, string text)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        try
        {
            return deserializer.Deserialize<RawParams?>(text) ?? new RawParams();
        }
        catch (YamlException ex)
        {
            // YamlDotNet wraps the useful part (which field, what value) in the innermost exception.
            var cause = ex.InnerException?.Message ?? ex.Message;
            throw new UserErrorException(
                $"{path}: invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {OneLine(cause)}", ex);
        }
    }

    private static PrepareParams ValidatePrepare(string path, RawPrepare raw)
    {
        var seed = Required(path, "prepare.seed", raw.Seed, "an integer");
        var split = Required(path, "prepare.split", raw.Split, "a number between 0 and 1");
        if (!(split > 0 && split < 1))
        {
            throw Invalid(path, "prepare.split", "a number between 0 and 1 (exclusive)", Format(split));
        }

        var size = raw.ImageSize;
        if (size is null || size.Count != 2 || size.Any(v => v <= 0))
        {
            var got = size is null ? "nothing" : "[" + string.Join(", ", size) + "]";
            throw Invalid(path, "prepare.image_size", "two positive integers", got);
        }

        var grayscale = Required(path, "prepare.grayscale", raw.Grayscale, "true or false");
        return new PrepareParams(seed, split, size[0], size[1], grayscale);
    }

    private static TrainParams ValidateTrain(string path, RawTrain raw)
    {
        var lr = Required(path, "train.lr", raw.Lr, "a positive number");
        if (!(lr > 0) || double.IsInfinity(lr))
        {
            throw Invalid(path, "train.lr", "a positive number", Format(lr));
        }

        return new TrainParams(
            Required(path, "train.seed", raw.Seed, "an integer"),
            lr,
            Positive(path, "train.epochs", raw.Epochs),
            Positive(path, "train.batch_size", raw.BatchSize),
            Positive(path, "train.conv_size", raw.ConvSize),
            Positive(path, "train.dense_size", raw.DenseSize),
            Positive(path, "train.output_classes", raw.OutputClasses),
            ParseDevice(path, raw.Device),
            raw.Reproducible ?? true);
    }

    private static DeviceChoice ParseDevice(string path, string? device) => device switch
    {
        null or "auto" => DeviceChoice.Auto,
        "cpu" => DeviceChoice.Cpu,
        "cuda" => DeviceChoice.Cuda,
        _ => throw Invalid(path, "train.device", "one of auto, cpu, cuda", device),
    };

    private static int Positive(string path, string field, int? value)
    {
        var v = Required(path, field, value, "a positive integer");
        return v > 0 ? v : throw Invalid(path, field, "a positive integer", Format(v));
    }

    private static T Required<T>(string path, string field, T? value, string expected)
        where T : struct =>
        value ?? throw new UserErrorException($"{path}: {field} is missing (expected {expected})");

    private static UserErrorException Invalid(string path, string field, string expected, string got) =>
        new($"{path}: {field} must be {expected}, got {got}");

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string OneLine(string text) =>
        text.ReplaceLineEndings(" ").Trim();

    // Mutable shapes for YamlDotNet only; everything leaves this class as validated records.
    private sealed class RawParams
    {
        public RawPrepare? Prepare { get; set; }

        public RawTrain? Train { get; set; }
    }

    private sealed class RawPrepare
    {
        public int? Seed { get; set; }

        public double? Split { get; set; }

        public List<int>? ImageSize { get; set; }

        public bool? Grayscale { get; set; }
    }

    private sealed class RawTrain
    {
        public int? Seed { get; set; }

        public double? Lr { get; set; }

        public int? Epochs { get; set; }

        public int? BatchSize { get; set; }

        public int? ConvSize { get; set; }

        public int? DenseSize { get; set; }

        public int? OutputClasses { get; set; }

        public string? Device { get; set; }

        public bool? Reproducible { get; set; }
    }
}
