using Planets.Ml.Common;

namespace Planets.Ml.Tests;

/// <summary>The split's shuffle gives NumPy's numbers (the values NumPy's own documentation and users print).</summary>
public sealed class NumpyRandomStateTests
{
    [Fact]
    public void Mt19937_seeded_with_5489_starts_with_the_reference_output()
    {
        Assert.Equal(3499211612U, new NumpyRandomState(5489).NextUInt32());
    }

    [Fact]
    public void Random_sample_of_seed_42_is_numpys()
    {
        var random = new NumpyRandomState(42);

        Assert.Equal(0.3745401188473625, random.NextDouble());
        Assert.Equal(0.9507143064099162, random.NextDouble());
    }

    [Fact]
    public void Permutation_of_seed_0_is_numpys()
    {
        Assert.Equal([2, 8, 4, 9, 1, 6, 7, 3, 0, 5], new NumpyRandomState(0).Permutation(10));
    }
}
