namespace Planets.Ml.Common;

/// <summary>
/// NumPy's legacy <c>RandomState(seed)</c>: MT19937 seeded by <c>init_genrand</c>, and its Fisher-Yates shuffle
/// drawing each index by masked rejection sampling. Keras' <c>image_dataset_from_directory</c> shuffles the file
/// list with exactly this before taking the last <c>validation_split</c> share as the validation set, so the same
/// algorithm here holds out the same images as the reference does for the same seed and files.
/// </summary>
internal sealed class NumpyRandomState
{
    private const int StateLength = 624;
    private const int Shift = 397;
    private readonly uint[] _key = new uint[StateLength];
    private int _position;

    /// <summary>Seeds the generator as <c>numpy.random.RandomState(seed)</c> does.</summary>
    public NumpyRandomState(uint seed)
    {
        _key[0] = seed;
        for (var i = 1; i < StateLength; i++)
        {
            _key[i] = (1812433253U * (_key[i - 1] ^ (_key[i - 1] >> 30))) + (uint)i;
        }

        _position = StateLength;
    }

    /// <summary>The next 32 random bits (MT19937 with its tempering).</summary>
    public uint NextUInt32()
    {
        if (_position == StateLength)
        {
            Regenerate();
        }

        var y = _key[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680U;
        y ^= (y << 15) & 0xEFC60000U;
        return y ^ (y >> 18);
    }

    /// <summary><c>random_sample()</c>: a double in [0, 1) from two draws, 53 bits.</summary>
    public double NextDouble()
    {
        var a = NextUInt32() >> 5;
        var b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    /// <summary>A uniform integer in [0, max], as NumPy's <c>random_interval</c> draws it.</summary>
    public uint Interval(uint max)
    {
        if (max == 0)
        {
            return 0;
        }

        var mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max)
        {
        }

        return value;
    }

    /// <summary><c>numpy.random.RandomState(seed).permutation(count)</c>.</summary>
    public int[] Permutation(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)Interval((uint)i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private void Regenerate()
    {
        for (var i = 0; i < StateLength; i++)
        {
            var y = (_key[i] & 0x80000000U) | (_key[(i + 1) % StateLength] & 0x7FFFFFFFU);
            _key[i] = _key[(i + Shift) % StateLength] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908B0DFU : 0U);
        }

        _position = 0;
    }
}
