using System.Formats.Tar;

namespace Pipeline.Containers.Tests;

public sealed class BuildContextTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("context-tests-").FullName;

    [Fact]
    public async Task The_same_files_make_the_same_tar_sorted_root_owned_and_dated_to_the_epoch()
    {
        Directory.CreateDirectory(Path.Combine(folder, "app", "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "app", "b.txt"), "b");
        await File.WriteAllTextAsync(Path.Combine(folder, "app", "sub", "a.txt"), "a");
        var context = BuildContext.Empty.WithDirectory("app", Path.Combine(folder, "app")).WithText("Dockerfile", "FROM scratch\n");

        var first = await TarAsync(context);
        File.SetLastWriteTimeUtc(Path.Combine(folder, "app", "b.txt"), DateTime.UtcNow.AddDays(-3));
        var second = await TarAsync(context);

        Assert.Equal(first, second);
        var entries = await ReadAsync(first);
        Assert.Equal(["Dockerfile", "app/b.txt", "app/sub/a.txt"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.Equal((0, 0, DateTimeOffset.UnixEpoch), (e.Uid, e.Gid, e.ModificationTime)));
    }

    [Fact]
    public async Task The_streamed_tar_equals_the_written_one()
    {
        await File.WriteAllBytesAsync(Path.Combine(folder, "big.bin"), new byte[3 << 20]);
        var context = BuildContext.Empty.WithFile("big.bin", Path.Combine(folder, "big.bin"));

        using var streamed = new MemoryStream();
        await using (var tar = context.OpenTarStream(CancellationToken.None))
        {
            await tar.CopyToAsync(streamed);
        }

        Assert.Equal(await TarAsync(context), streamed.ToArray());
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("a/../../b")]
    [InlineData("")]
    public void A_path_outside_the_context_is_refused(string path)
    {
        Assert.Throws<ArgumentException>(() => BuildContext.Empty.WithText(path, "x"));
    }

    [Fact]
    public void A_missing_folder_names_itself()
    {
        var missing = Path.Combine(folder, "missing");

        var error = Assert.Throws<ContainerException>(() => BuildContext.Empty.WithDirectory("app", missing));

        Assert.Equal($"{missing}: folder not found for the image's build context", error.Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static async Task<byte[]> TarAsync(BuildContext context)
    {
        using var output = new MemoryStream();
        await context.WriteTarAsync(output, CancellationToken.None);
        return output.ToArray();
    }

    private static async Task<List<TarEntry>> ReadAsync(byte[] tar)
    {
        var entries = new List<TarEntry>();
        await using var reader = new TarReader(new MemoryStream(tar));
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }
}
