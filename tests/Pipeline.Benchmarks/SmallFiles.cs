namespace Pipeline.Benchmarks;

/// <summary>Makes many small files in 100 folders, as a dataset of thumbnails or records would be.</summary>
internal static class SmallFiles
{
    public static string Create(string folder, int count)
    {
        var random = new Random(77);
        var buffer = new byte[256];
        for (var i = 0; i < count; i++)
        {
            var sub = Path.Combine(folder, $"part{i % 100:000}");
            if (i < 100)
            {
                Directory.CreateDirectory(sub);
            }

            random.NextBytes(buffer);
            File.WriteAllBytes(Path.Combine(sub, $"item{i:000000}.bin"), buffer);
        }

        return folder;
    }
}
