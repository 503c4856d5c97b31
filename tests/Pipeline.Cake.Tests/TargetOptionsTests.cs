using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Pipeline.Core;
using Pipeline.Storage.Hashing;

namespace Pipeline.Cake.Tests;

/// <summary>Every target reads its options one way: the same flag means the same everywhere.</summary>
public sealed class TargetOptionsTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    public void A_flag_is_on_when_given_bare_or_true_and_off_when_absent_or_false(string? value, bool expected) =>
        Assert.Equal(expected, Options(("dry-run", value)).Flag("dry-run"));

    [Fact]
    public void A_flag_with_another_value_is_one_error_naming_it() =>
        Assert.Equal("--dry-run: 'maybe' is not true or false", Assert.Throws<PipelineException>(() => Options(("dry-run", "maybe")).Flag("dry-run")).Message);

    [Fact]
    public void A_value_comes_from_the_command_line_else_cake_config_else_the_default_and_an_empty_one_counts_as_not_given()
    {
        var config = new Dictionary<string, string> { ["Containers_Registry"] = "registry.example/team" };

        Assert.Equal("ghcr.io/me", Options(config, ("registry", "ghcr.io/me")).Text("registry", "Containers_Registry", "localhost:5000"));
        Assert.Equal("registry.example/team", Options(config, ("registry", "")).Text("registry", "Containers_Registry", "localhost:5000"));
        Assert.Equal("localhost:5000", Options(("registry", "  ")).Text("registry", "Containers_Registry", "localhost:5000"));
    }

    [Theory]
    [InlineData("90m", "2026-12-02T10:30:00+00:00")]
    [InlineData("24h", "2026-12-01T12:00:00+00:00")]
    [InlineData("7d", "2026-11-25T12:00:00+00:00")]
    [InlineData("1.5h", "2026-12-02T10:30:00+00:00")]
    [InlineData("2026-12-01", "2026-12-01T00:00:00+00:00")]
    [InlineData("2026-12-01T06:00:00Z", "2026-12-01T06:00:00+00:00")]
    [InlineData("2026-12-01T06:00:00+01:00", "2026-12-01T05:00:00+00:00")]
    public void A_time_is_a_period_before_now_or_an_iso_time_utc_unless_it_says(string value, string expected)
    {
        var now = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Options(("since", value)).Time("since", now));
        Assert.Null(Options().Time("since", now));
    }

    [Fact]
    public void Numbers_seconds_and_choices_are_checked_with_one_line_naming_the_option()
    {
        Assert.Equal(8, Options(("jobs", "8")).Number("jobs", null, 4, minimum: 1));
        Assert.Equal(TimeSpan.FromSeconds(1.5), Options(("lock-timeout", "1.5")).Seconds("lock-timeout", null));
        Assert.Equal("--jobs: '0' is not a whole number of at least 1", Assert.Throws<PipelineException>(() => Options(("jobs", "0")).Number("jobs", null, 4, minimum: 1)).Message);
        Assert.Equal("--lock-timeout: 'soon' is not a number of seconds", Assert.Throws<PipelineException>(() => Options(("lock-timeout", "soon")).Seconds("lock-timeout", null)).Message);
        Assert.Equal("--format: 'pdf' is not one of text, md", Assert.Throws<PipelineException>(() => Options(("format", "pdf")).Choice("format", "text", "text", "md")).Message);
    }

    [Fact]
    public void The_hash_algorithm_is_the_repositorys_from_cake_config_md5_by_default_and_an_unknown_one_is_one_error()
    {
        var config = new Dictionary<string, string> { ["Pipeline_HashAlgorithm"] = "blake3" };

        Assert.Equal(ContentHashAlgorithm.Md5, PipelineOptions.From(Context(new Dictionary<string, string>())).Settings.HashAlgorithm);
        Assert.Equal(ContentHashAlgorithm.Blake3, PipelineOptions.From(Context(config)).Settings.HashAlgorithm);
        Assert.Equal(
            "HashAlgorithm: 'sha1' is not a hash algorithm (expected one of md5, blake3, xxh128) (--hash-algorithm, or [Pipeline] HashAlgorithm in cake.config)",
            Assert.Throws<PipelineException>(() => PipelineOptions.From(Context(config, ("hash-algorithm", "sha1")))).Message);
    }

    private static TargetOptions Options(params (string Name, string? Value)[] arguments) => Options(new Dictionary<string, string>(), arguments);

    private static TargetOptions Options(IDictionary<string, string> configuration, params (string Name, string? Value)[] arguments) =>
        new(Context(configuration, arguments));

    private static OptionsContext Context(IDictionary<string, string> configuration, params (string Name, string? Value)[] arguments) =>
        new(
            new CakeArguments(arguments.Where(a => a.Value is not null).ToLookup(a => a.Name, a => a.Value!, StringComparer.OrdinalIgnoreCase)),
            new CakeConfiguration(configuration));

    /// <summary>A Cake context that has only what options are read from: arguments and configuration.</summary>
    private sealed class OptionsContext(ICakeArguments arguments, ICakeConfiguration configuration) : ICakeContext
    {
        public ICakeArguments Arguments => arguments;

        public ICakeConfiguration Configuration => configuration;

        public IFileSystem FileSystem => throw new NotSupportedException();

        public ICakeEnvironment Environment => throw new NotSupportedException();

        public IGlobber Globber => throw new NotSupportedException();

        public ICakeLog Log => throw new NotSupportedException();

        public IProcessRunner ProcessRunner => throw new NotSupportedException();

        public IRegistry Registry => throw new NotSupportedException();

        public IToolLocator Tools => throw new NotSupportedException();

        public ICakeDataResolver Data => throw new NotSupportedException();
    }
}
