using System.Diagnostics;

namespace Pipeline.Benchmarks;

/// <summary>Repeats a measurement and reports the median, since these machines are noisy.</summary>
internal static class Measure
{
    public static async Task<TimeSpan> MedianAsync(int repeats, Func<Task> action)
    {
        var times = new List<TimeSpan>(repeats);
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            times.Add(clock.Elapsed);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    public static string Ms(TimeSpan time) => $"{time.TotalMilliseconds:0.0} ms";

    public static string MBps(long bytes, TimeSpan time) => $"{bytes / time.TotalSeconds / 1e6:0} MB/s";
}
