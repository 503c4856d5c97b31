using Microsoft.ML.Data;

namespace Churn;

/// <summary>One row of the features files, as ML.NET loads it (the columns in file order).</summary>
public sealed class Customer
{
    /// <summary>The CSV header the featurize stage writes.</summary>
    public const string Header = "tenure_months,monthly_charges,support_calls,one_year_contract,two_year_contract,charges_per_month_of_tenure,churned";

    [LoadColumn(0)] public float TenureMonths { get; set; }
    [LoadColumn(1)] public float MonthlyCharges { get; set; }
    [LoadColumn(2)] public float SupportCalls { get; set; }
    [LoadColumn(3)] public float OneYearContract { get; set; }
    [LoadColumn(4)] public float TwoYearContract { get; set; }
    [LoadColumn(5)] public float ChargesPerMonthOfTenure { get; set; }
    [LoadColumn(6), ColumnName("Label")] public bool Churned { get; set; }

    /// <summary>The columns the model reads.</summary>
    public static readonly string[] Features =
        [nameof(TenureMonths), nameof(MonthlyCharges), nameof(SupportCalls), nameof(OneYearContract), nameof(TwoYearContract), nameof(ChargesPerMonthOfTenure)];
}
