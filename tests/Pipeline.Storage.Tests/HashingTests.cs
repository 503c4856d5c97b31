using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;
using Pipeline.Storage.State;

namespace Pipeline.Storage.Tests;

public sealed class HashingTests : IDisposable
{
    private readonly TempFolder temp = new();

    [Fact]
    public async Task A_file_hashes_to_the_md5_of_its_bytes()
    {
        var path = temp.Write("hello.txt", "hello\n");
        var hasher = new ContentHasher(StateDatabase.InMemory());

        var hashed = await hasher.HashAsync(path, CancellationToken.None);

        Assert.Equal("b1946ac92492d2347c6235b4d2611184", hashed.Info.Hash.Value);
        Assert.Equal(6, hashed.Info.Size);
        Assert.Null(hashed.Info.FileCount);
    }

    [Fact]
    public async Task A_folder_hash_depends_on_names_and_contents_but_not_on_creation_order()
    {
        temp.Write("a/x.txt", "1");
        temp.Write("a/sub/y.txt", "2");
        temp.Write("b/sub/y.txt", "2");
        temp.Write("b/x.txt", "1");
        temp.Write("c/x.txt", "1");
        temp.Write("c/sub/z.txt", "2");
        var hasher = new ContentHasher(StateDatabase.InMemory());

        var a = await hasher.HashAsync(temp["a"], CancellationToken.None);
        var b = await hasher.HashAsync(temp["b"], CancellationToken.None);
        var c = await hasher.HashAsync(temp["c"], CancellationToken.None);

        Assert.True(a.Info.Hash.IsDirectory);
        Assert.Equal(a.Info, b.Info);
        Assert.NotEqual(a.Info.Hash, c.Info.Hash);
        Assert.Equal(2, a.Info.FileCount);
        Assert.Equal(["sub/y.txt", "x.txt"], a.Manifest!.Entries.Select(e => e.RelativePath));
    }

    [Fact]
    public async Task An_unchanged_file_is_answered_from_the_state_database_without_reading_it()
    {
        var path = temp.Write("data.bin", "real content");
        var state = StateDatabase.InMemory();
        var planted = new ContentHash("0123456789abcdef0123456789abcdef", ContentHashAlgorithm.Md5);
        state.Record(Path.GetFullPath(path), FileStat.Of(path), planted);
        var hasher = new ContentHasher(state);

        var unchanged = await hasher.HashAsync(path, CancellationToken.None);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        var touched = await hasher.HashAsync(path, CancellationToken.None);

        Assert.Equal(planted, unchanged.Info.Hash);
        Assert.NotEqual(planted, touched.Info.Hash);
    }

    [Fact]
    public async Task The_state_database_survives_a_save_and_reopen()
    {
        var path = temp.Write("data.bin", "content");
        var dbPath = temp["state.db"];
        var state = await StateDatabase.OpenAsync(dbPath, CancellationToken.None);
        var hash = new ContentHasher(state).HashFile(path, FileStat.Of(path), ContentHashAlgorithm.Md5, CancellationToken.None);
        await state.SaveAsync(CancellationToken.None);

        var reopened = await StateDatabase.OpenAsync(dbPath, CancellationToken.None);

        Assert.Equal(hash, reopened.Lookup(Path.GetFullPath(path), FileStat.Of(path), ContentHashAlgorithm.Md5));
        Assert.Single(Directory.GetFiles(temp.Path, "*state.db*"));
    }

    [Fact]
    public async Task A_damaged_state_database_is_ignored_rather_than_trusted()
    {
        var dbPath = temp.Write("state.db", "not a database");

        var state = await StateDatabase.OpenAsync(dbPath, CancellationToken.None);

        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void Stat_reports_the_inode_size_and_nanosecond_mtime()
    {
        var path = temp.Write("f", "12345");
        var stat = FileStat.Of(path);

        Assert.Equal(5, stat.Size);
        Assert.NotEqual(0UL, stat.Inode);
        var expected = (File.GetLastWriteTimeUtc(path) - DateTime.UnixEpoch).Ticks * 100;
        Assert.InRange(stat.ModifiedNanoseconds - expected, 0, 99);
        Assert.Throws<FileNotFoundException>(() => FileStat.Of(temp["missing"]));
    }

    [Fact]
    public async Task Reading_a_folder_reports_progress_for_the_files_it_had_to_read_only()
    {
        temp.Write("data/a", "1");
        temp.Write("data/b", "22");
        temp.Write("data/c", "333");
        var reports = new List<HashingProgress>();
        var hasher = new ContentHasher(StateDatabase.InMemory()) { Progress = new Recorder(reports) };

        await hasher.HashAsync(temp["data"], CancellationToken.None);
        var first = reports.ToList();
        await hasher.HashAsync(temp["data"], CancellationToken.None);

        Assert.Equal(3, first.Count);
        Assert.All(first, r => Assert.Equal((temp["data"], 3), (r.Folder, r.Files)));
        Assert.Equal((3, 6L), (first.Max(r => r.FilesRead), first.Max(r => r.BytesRead)));
        Assert.Equal(3, reports.Count);
    }

    public void Dispose() => temp.Dispose();

    private sealed class Recorder(List<HashingProgress> reports) : IProgress<HashingProgress>
    {
        public void Report(HashingProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
