namespace Pipeline.Containers;

/// <summary>
/// A registry login. It comes from the environment (<c>REGISTRY_USERNAME</c> and <c>REGISTRY_PASSWORD</c>), never
/// from a file in the repository, and its <see cref="ToString"/> never shows the password.
/// </summary>
/// <param name="Username">The user name.</param>
/// <param name="Password">The password or access token.</param>
public sealed record RegistryCredentials(string Username, string Password)
{
    /// <summary>The variable holding the user name.</summary>
    public const string UsernameVariable = "REGISTRY_USERNAME";

    /// <summary>The variable holding the password or token.</summary>
    public const string PasswordVariable = "REGISTRY_PASSWORD";

    /// <summary>The login in the environment, or null for an anonymous push (a local registry).</summary>
    /// <exception cref="ContainerException">Only one of the two variables is set.</exception>
    public static RegistryCredentials? FromEnvironment()
    {
        var username = Environment.GetEnvironmentVariable(UsernameVariable);
        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        return (string.IsNullOrEmpty(username), string.IsNullOrEmpty(password)) switch
        {
            (true, true) => null,
            (false, false) => new RegistryCredentials(username!, password!),
            _ => throw new ContainerException($"set both {UsernameVariable} and {PasswordVariable} to log in to the registry, or neither for an anonymous push"),
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{Username} (password hidden)";
}
