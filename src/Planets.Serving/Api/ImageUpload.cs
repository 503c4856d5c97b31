using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Planets.Serving.Api;

/// <summary>One uploaded image: its file name (or <c>image</c> for a raw body) and its encoded bytes.</summary>
/// <param name="Name">The part's file name.</param>
/// <param name="Content">The encoded JPEG or PNG.</param>
public sealed record ImageUpload(string Name, ReadOnlyMemory<byte> Content)
{
    /// <summary>The media types read as a raw image body.</summary>
    public static readonly IReadOnlyList<string> ImageTypes = ["image/jpeg", "image/png"];

    private const string Multipart = "multipart/form-data";

    // Browsers and curl label parts by extension; an unknown one is octet-stream. The decoder has the last word.
    private static readonly string[] PartTypes = ["image/jpeg", "image/png", "image/jpg", "application/octet-stream"];

    /// <summary>The media types <c>POST /predict</c> accepts, for 415 messages and the OpenAPI document.</summary>
    public static readonly string[] SingleTypes = ["image/jpeg", "image/png", Multipart];

    /// <summary>Reads the one image of a raw image body or of a multipart form (its first file).</summary>
    public static async Task<ImageUpload> ReadOneAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var type = MediaType(request);
        if (ImageTypes.Contains(type))
        {
            return new ImageUpload("image", await ReadBodyAsync(request, limit, cancellationToken).ConfigureAwait(false));
        }

        if (type != Multipart)
        {
            throw RequestProblemException.UnsupportedMediaType(request.ContentType, "image/jpeg, image/png or multipart/form-data");
        }

        var images = await ReadFormAsync(request, limit, maxImages: 1, cancellationToken).ConfigureAwait(false);
        return images[0];
    }

    /// <summary>Reads every file of a multipart form (at most <paramref name="maxImages"/>).</summary>
    public static Task<IReadOnlyList<ImageUpload>> ReadManyAsync(HttpRequest request, long limit, int maxImages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaType(request) == Multipart
            ? ReadFormAsync(request, limit, maxImages, cancellationToken)
            : throw RequestProblemException.UnsupportedMediaType(request.ContentType, "multipart/form-data with one file per image");
    }

    private static string? MediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        LimitBody(request, limit);
        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 16 * 1024);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            // Checked here as well as by the server: a chunked body has no length to check up front.
            if (buffer.Length + read > limit)
            {
                throw RequestProblemException.TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.Length > 0
            ? buffer.GetBuffer().AsMemory(0, (int)buffer.Length)
            : throw new RequestProblemException("the request body is empty; send the image as the body");
    }

    private static async Task<IReadOnlyList<ImageUpload>> ReadFormAsync(HttpRequest request, long limit, int maxImages, CancellationToken cancellationToken)
    {
        LimitBody(request, limit);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit }, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw RequestProblemException.TooLarge(limit);
        }
        catch (IOException ex)
        {
            throw new RequestProblemException($"the multipart form cannot be read ({ex.Message})", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new RequestProblemException($"the multipart form cannot be read ({ex.Message})", ex);
        }

        if (form.Files.Count == 0)
        {
            throw new RequestProblemException("the form has no file; attach the image as a file part");
        }

        if (form.Files.Count > maxImages)
        {
            throw new RequestProblemException($"the form has {form.Files.Count} files; at most {maxImages} are accepted per request");
        }

        var images = new List<ImageUpload>(form.Files.Count);
        foreach (var file in form.Files)
        {
            images.Add(await ReadPartAsync(file, cancellationToken).ConfigureAwait(false));
        }

        return images;
    }

    private static async Task<ImageUpload> ReadPartAsync(IFormFile file, CancellationToken cancellationToken)
    {
        var partType = MediaTypeHeaderValue.TryParse(file.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() : null;
        if (partType is not null && !PartTypes.Contains(partType))
        {
            throw RequestProblemException.UnsupportedMediaType(file.ContentType, $"image/jpeg or image/png for file '{file.FileName}'");
        }

        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.Length > 0
            ? new ImageUpload(string.IsNullOrEmpty(file.FileName) ? file.Name : file.FileName, buffer.ToArray())
            : throw new RequestProblemException($"file '{file.FileName}' is empty");
    }

    private static void LimitBody(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            throw RequestProblemException.TooLarge(limit);
        }

        // Let the server stop reading at the limit too, instead of after the client has sent everything.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
    }
}
