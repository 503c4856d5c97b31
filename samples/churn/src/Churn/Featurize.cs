using System.Globalization;

namespace Churn;

/// <summary>
/// The dataset: customers drawn from a seeded generator (tenure, charges, support calls, contract), each churning with
/// a probability that rises with charges and calls and falls with tenure and longer contracts; then the features.
/// </summary>
internal static class Featurize
{
    public static void Run(Parameters parameters, string output)
    {
        var (seed, count, testFraction) = (parameters.Integer("seed", 0), parameters.Integer("customers", 10), parameters.Fraction("test_fraction"));
        var random = new Random(seed);
        var rows = Enumerable.Range(0, count).Select(_ => Row(random)).ToList();
        var test = (int)(count * testFraction);
        Directory.CreateDirectory(output);
        File.WriteAllLines(Path.Combine(output, "test.csv"), [Customer.Header, .. rows.Take(test)]);
        File.WriteAllLines(Path.Combine(output, "train.csv"), [Customer.Header, .. rows.Skip(test)]);
        Console.WriteLine($"featurize: {count - test} training and {test} test customers in {output}");
    }

    private static string Row(Random random)
    {
        var tenure = random.Next(1, 73);
        var charges = Math.Round(20 + random.NextDouble() * 100, 2);
        var calls = random.Next(0, 4) + random.Next(0, 4);
        var contract = random.Next(0, 3);
        var odds = -2.0 + 0.03 * charges - 0.05 * tenure + 0.45 * calls - (contract == 2 ? 1.5 : contract == 1 ? 0.7 : 0);
        var churned = random.NextDouble() < 1 / (1 + Math.Exp(-odds));
        return string.Create(CultureInfo.InvariantCulture,
            $"{tenure},{charges},{calls},{(contract == 1 ? 1 : 0)},{(contract == 2 ? 1 : 0)},{Math.Round(charges / tenure, 4)},{(churned ? "true" : "false")}");
    }
}
