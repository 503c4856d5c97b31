using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Planets.Build.Tests;

/// <summary>A long-running <c>dotnet cake</c> target (a service) in a repository copy, its output captured as plain text, stopped as CI runners stop it: SIGTERM.</summary>
internal sealed class CakeProcess : IDisposable
{
    private readonly Process _cake;
    private readonly StringBuilder _output = new();

    private CakeProcess(Process cake)
    {
        _cake = cake;
        _cake.OutputDataReceived += (_, e) => Append(e.Data);
        _cake.ErrorDataReceived += (_, e) => Append(e.Data);
        _cake.BeginOutputReadLine();
        _cake.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return ConsoleText.Plain(_output.ToString());
            }
        }
    }

    public int ExitCode => _cake.ExitCode;

    public static CakeProcess Start(string root, params string[] arguments) =>
        new(Process.Start(new ProcessStartInfo("dotnet", ["cake", .. arguments])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!);

    /// <summary>Waits until <paramref name="ready"/> answers 200, failing with the output if the target ends first or time runs out.</summary>
    public async Task WaitUntilAnswersAsync(HttpClient http, string ready, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (await StatusAsync(http, ready) != System.Net.HttpStatusCode.OK)
        {
            Assert.False(_cake.HasExited, $"the target ended before {ready} answered: {Output}");
            Assert.True(clock.Elapsed < timeout, $"{ready} did not answer within {timeout}: {Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>Sends SIGTERM and waits for the target to end.</summary>
    public async Task TerminateAsync()
    {
        Assert.Equal(0, Kill(_cake.Id, 15));
        using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _cake.WaitForExitAsync(stopped.Token);
    }

    /// <summary>The status <paramref name="url"/> answers, or null when nothing answers.</summary>
    public static async Task<System.Net.HttpStatusCode?> StatusAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!_cake.HasExited)
        {
            _cake.Kill(entireProcessTree: true);
        }

        _cake.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
