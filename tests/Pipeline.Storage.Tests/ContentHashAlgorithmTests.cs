using Pipeline.Storage.Hashing;
using Pipeline.Storage.Native;
using Pipeline.Storage.State;

namespace Pipeline.Storage.Tests;

public sealed class ContentHashAlgorithmTests : IDisposable
{
    private readonly TempFolder temp = new();

    [Theory]
    [InlineData("md5", "", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("md5", "abc", "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData("blake3", "", "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262")]
    [InlineData("blake3", "abc", "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85")]
    [InlineData("xxh128", "", "99aa06d3014798d86001c324468d497f")]
    [InlineData("xxh128", "abc", "06b05ab6733a618578af5f94892f3950")]
    public async Task Each_algorithm_gives_its_published_digest_for_a_file(string name, string content, string expected)
    {
        var path = temp["vector.bin"];
        await File.WriteAllTextAsync(path, content);
        var algorithm = ContentHashAlgorithm.FromName(name);

        var hashed = await new ContentHasher(StateDatabase.InMemory(), algorithm).HashAsync(path, CancellationToken.None);

        Assert.Equal(new ContentHash(expected, algorithm), hashed.Info.Hash);
    }

    [Fact]
    public void Hashes_of_two_algorithms_are_never_equal_and_an_unknown_name_is_refused_with_the_known_ones()
    {
        const string Digits = "0123456789abcdef0123456789abcdef";

        Assert.NotEqual(new ContentHash(Digits, ContentHashAlgorithm.Md5), new ContentHash(Digits, ContentHashAlgorithm.Xxh128));
        Assert.Throws<FormatException>(() => new ContentHash(Digits, ContentHashAlgorithm.Blake3));
        var error = Assert.Throws<FormatException>(() => ContentHashAlgorithm.FromName("sha1"));
        Assert.Equal("'sha1' is not a hash algorithm (expected one of md5, blake3, xxh128)", error.Message);
    }

    [Fact]
    public async Task The_state_database_keeps_a_files_hash_by_each_algorithm_across_a_reopen()
    {
        var path = Path.GetFullPath(temp.Write("a.txt", "alpha"));
        var stat = FileStat.Of(path);
        var state = await StateDatabase.OpenAsync(temp["state.db"], CancellationToken.None);
        var hasher = new ContentHasher(state);
        var md5 = hasher.HashFile(path, stat, ContentHashAlgorithm.Md5, CancellationToken.None);
        var blake3 = hasher.HashFile(path, stat, ContentHashAlgorithm.Blake3, CancellationToken.None);
        await state.SaveAsync(CancellationToken.None);

        var reopened = await StateDatabase.OpenAsync(temp["state.db"], CancellationToken.None);

        Assert.Equal(md5, reopened.Lookup(path, stat, ContentHashAlgorithm.Md5));
        Assert.Equal(blake3, reopened.Lookup(path, stat, ContentHashAlgorithm.Blake3));
        Assert.Null(reopened.Lookup(path, stat, ContentHashAlgorithm.Xxh128));
    }

    public void Dispose() => temp.Dispose();
}
