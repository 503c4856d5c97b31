using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Planets.Serving.LabelStudio;

/// <summary>
/// HTTP Basic authentication for the backend's endpoints, as the reference backend offers it: on when
/// <c>BASIC_AUTH_USER</c> and <c>BASIC_AUTH_PASS</c> are set in the environment (Label Studio then connects with
/// <c>http://user:password@host:3000/label-studio</c>).
/// </summary>
public sealed class BasicAuthFilter : IEndpointFilter
{
    /// <summary>The variable holding the user name.</summary>
    public const string UserVariable = "BASIC_AUTH_USER";

    /// <summary>The variable holding the password.</summary>
    public const string PasswordVariable = "BASIC_AUTH_PASS";

    private readonly byte[]? _expected;

    /// <summary>Reads the credentials once, from the configuration the environment variables are part of.</summary>
    public BasicAuthFilter(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var user = configuration[UserVariable];
        var password = configuration[PasswordVariable];
        _expected = string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password) ? null : Encoding.UTF8.GetBytes($"{user}:{password}");
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_expected is null || Matches(context.HttpContext.Request.Headers.Authorization))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"label-studio-ml-backend\"";
        return ValueTask.FromResult<object?>(TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "the ML backend needs HTTP Basic credentials (BASIC_AUTH_USER and BASIC_AUTH_PASS)"));
    }

    private bool Matches(string? header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var parsed) || !"Basic".Equals(parsed.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromBase64String(parsed.Parameter ?? "");
        }
        catch (FormatException)
        {
            return false;
        }

        // Constant time: the comparison must not tell how much of a guess was right.
        return CryptographicOperations.FixedTimeEquals(given, _expected);
    }
}
