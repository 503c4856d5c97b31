namespace Pipeline.Containers.Tests;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("planets-service", null, "planets-service", null, null)]
    [InlineData("planets-service:latest", null, "planets-service", "latest", null)]
    [InlineData("localhost:5000/team/planets-service:3f55635338c3", "localhost:5000", "team/planets-service", "3f55635338c3", null)]
    [InlineData("ghcr.io/org/svc@sha256:620a38c2eeae72bfab12ee868c80ecbb43e58ea2665656f86fd0f5c4c9a2f6dc", "ghcr.io", "org/svc", null, "sha256:620a38c2eeae72bfab12ee868c80ecbb43e58ea2665656f86fd0f5c4c9a2f6dc")]
    [InlineData("localhost/svc:1", "localhost", "svc", "1", null)]
    public void Parses_the_docker_cli_spellings(string text, string? registry, string repository, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(text);

        Assert.Equal(new ImageReference(registry, repository, tag, digest), reference);
        Assert.Equal(text, reference.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Planets:latest")]
    [InlineData("svc:")]
    [InlineData("svc@sha256:abc")]
    [InlineData("registry:5000/")]
    public void Rejects_what_is_not_an_image_name_with_the_expected_form(string text)
    {
        var error = Assert.Throws<FormatException>(() => ImageReference.Parse(text));

        Assert.Contains("[registry/]repository[:tag]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pinning_to_a_digest_drops_the_tag()
    {
        var digest = "sha256:" + new string('a', 64);

        Assert.Equal($"localhost:5000/svc@{digest}", ImageReference.Parse("localhost:5000/svc:1").WithDigest(digest).ToString());
    }
}
