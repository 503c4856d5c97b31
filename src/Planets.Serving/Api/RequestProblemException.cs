namespace Planets.Serving.Api;

/// <summary>A request the service refuses, answered as an RFC 7807 problem with <see cref="Status"/>.</summary>
public sealed class RequestProblemException : Exception
{
    /// <summary>Creates the problem.</summary>
    public RequestProblemException(int status, string title, string detail)
        : base(detail)
    {
        Status = status;
        Title = title;
    }

    /// <summary>Creates a 400 problem.</summary>
    public RequestProblemException(string detail)
        : this(StatusCodes.Status400BadRequest, "Bad request", detail)
    {
    }

    /// <summary>Creates a 400 problem with a cause.</summary>
    public RequestProblemException(string detail, Exception innerException)
        : base(detail, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Title = "Bad request";
    }

    /// <summary>Creates a generic 400 problem.</summary>
    public RequestProblemException()
        : this("bad request")
    {
    }

    /// <summary>The HTTP status.</summary>
    public int Status { get; }

    /// <summary>The problem's short title.</summary>
    public string Title { get; } = "Bad request";

    /// <summary>413: the body is larger than <paramref name="limit"/> bytes.</summary>
    public static RequestProblemException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"the request body is larger than the limit of {limit} bytes");

    /// <summary>415: the body's media type is not one the endpoint reads.</summary>
    public static RequestProblemException UnsupportedMediaType(string? contentType, string expected) =>
        new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
            $"content type '{contentType ?? "(none)"}' is not supported; send {expected}");

    /// <summary>503: the model is still loading.</summary>
    public static RequestProblemException NotReady() =>
        new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "the model is not loaded yet; retry when /readyz answers 200");
}
