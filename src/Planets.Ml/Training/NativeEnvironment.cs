using System.Runtime.InteropServices;

namespace Planets.Ml.Training;

/// <summary>
/// The process's native environment, which native libraries such as libtorch read with <c>getenv</c>. .NET keeps a
/// copy of its own: <see cref="Environment.SetEnvironmentVariable(string, string)"/> never reaches them.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, overriding what the process inherited.</summary>
    public static void Set(string name, string value)
    {
        if (SetEnv(name, value, overwrite: 1) != 0)
        {
            throw new InvalidOperationException($"setenv {name} failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
