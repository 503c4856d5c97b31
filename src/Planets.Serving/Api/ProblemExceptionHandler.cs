using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Planets.Serving.Inference;

namespace Planets.Serving.Api;

/// <summary>
/// Turns every failure of a request into an RFC 7807 problem: the client's mistakes with their own status and a
/// plain message, anything else as a bare 500. No stack trace or exception text of an unexpected error leaves the
/// process; it goes to the log.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client has gone: nobody to answer.
            return true;
        }

        var (status, title, detail) = exception switch
        {
            RequestProblemException p => (p.Status, p.Title, p.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "Payload too large", "the request body is larger than the limit"),
            BadHttpRequestException b => (b.StatusCode, "Bad request", "the request could not be read"),
            ServiceBusyException busy => (503, "Service unavailable", busy.Message),
            _ => (500, "Internal server error", "the service failed to answer this request; it is logged"),
        };
        if (status == 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (status == 503)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
