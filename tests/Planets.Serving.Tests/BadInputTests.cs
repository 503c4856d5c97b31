using System.Net;
using System.Net.Http.Headers;

namespace Planets.Serving.Tests;

[Collection(ServiceGroup.Name)]
public sealed class BadInputTests(ServiceFixture service)
{
    [Fact]
    public async Task Unsupported_media_type_is_a_415_problem_naming_what_is_accepted()
    {
        using var response = await Http.PostImageAsync(service.Client, "hello"u8.ToArray(), "text/plain");
        var problem = await Http.AssertProblemAsync(response, 415);
        Assert.Contains("image/jpeg", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_image_part_in_a_form_is_a_415_problem()
    {
        using var response = await Http.PostFormAsync(service.Client, "/predict", ("notes.txt", "hello"u8.ToArray(), "text/plain"));
        await Http.AssertProblemAsync(response, 415);
    }

    [Fact]
    public async Task Batch_endpoint_wants_a_multipart_form()
    {
        using var response = await Http.PostImageAsync(service.Client, await File.ReadAllBytesAsync(service.SampleImages[0]), "image/jpeg", "/predict/batch");
        await Http.AssertProblemAsync(response, 415);
    }

    [Theory]
    [InlineData("image/jpeg")]
    [InlineData("image/png")]
    public async Task Bytes_that_are_no_image_are_a_400_problem(string contentType)
    {
        using var response = await Http.PostImageAsync(service.Client, "this is not an image at all"u8.ToArray(), contentType);
        var problem = await Http.AssertProblemAsync(response, 400);
        Assert.Contains("cannot be decoded", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_jpeg_is_a_400_problem()
    {
        var jpeg = await File.ReadAllBytesAsync(service.SampleImages[1]);
        using var response = await Http.PostImageAsync(service.Client, jpeg[..(jpeg.Length / 2)], "image/jpeg");
        await Http.AssertProblemAsync(response, 400);
    }

    [Fact]
    public async Task An_empty_body_and_a_form_without_a_file_are_400_problems()
    {
        using var empty = await Http.PostImageAsync(service.Client, [], "image/jpeg");
        await Http.AssertProblemAsync(empty, 400);

        using var form = new MultipartFormDataContent { { new StringContent("x"), "field" } };
        using var noFile = await service.Client.PostAsync(new Uri("/predict", UriKind.Relative), form);
        await Http.AssertProblemAsync(noFile, 400);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem_with_or_without_a_length()
    {
        var big = new byte[ServiceFixture.MaxImageBytes + 1];
        using var withLength = await Http.PostImageAsync(service.Client, big, "image/jpeg");
        await Http.AssertProblemAsync(withLength, 413);

        // Chunked: no Content-Length to refuse up front, so the limit is enforced while reading.
        using var chunked = new StreamContent(new MemoryStream(big));
        chunked.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/predict", UriKind.Relative)) { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var withoutLength = await service.Client.SendAsync(request);
        await Http.AssertProblemAsync(withoutLength, 413);

        using var form = await Http.PostFormAsync(service.Client, "/predict", ("big.jpg", big, "image/jpeg"));
        await Http.AssertProblemAsync(form, 413);
    }

    [Fact]
    public async Task A_small_image_claiming_huge_dimensions_is_refused_before_decoding()
    {
        // A valid PNG header claiming 100000 x 100000 pixels: decoding it would need 40 GB.
        var png = PngHeader(100_000, 100_000);
        using var response = await Http.PostImageAsync(service.Client, png, "image/png");
        await Http.AssertProblemAsync(response, 400);
    }

    [Fact]
    public async Task After_every_bad_request_the_service_still_answers()
    {
        using (await Http.PostImageAsync(service.Client, new byte[1000], "image/jpeg"))
        using (await Http.PostImageAsync(service.Client, PngHeader(100_000, 100_000), "image/png"))
        {
        }

        using var ready = await service.Client.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var response = await Http.PostImageAsync(service.Client, await File.ReadAllBytesAsync(service.SampleImages[2]), "image/jpeg");
        await Http.ReadAnswerAsync(response);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_with_problems()
    {
        using var missing = await service.Client.GetAsync(new Uri("/nothing-here", UriKind.Relative));
        await Http.AssertProblemAsync(missing, 404);
        using var wrongMethod = await service.Client.GetAsync(new Uri("/predict", UriKind.Relative));
        await Http.AssertProblemAsync(wrongMethod, 405);
    }

    private static byte[] PngHeader(uint width, uint height)
    {
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        var chunk = new List<byte>();
        chunk.AddRange(new byte[] { 0, 0, 0, 13 });
        var typeAndData = "IHDR"u8.ToArray().Concat(ihdr).ToArray();
        chunk.AddRange(typeAndData);
        var crc = Crc32(typeAndData);
        var crcBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        chunk.AddRange(crcBytes);
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. chunk, .. new byte[64]];
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
