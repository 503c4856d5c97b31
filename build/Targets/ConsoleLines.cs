using System.Text;

namespace Planets.Build.Targets;

/// <summary>A writer that hands each complete line to <paramref name="line"/>: how the Kubernetes runners' progress and a pod's log reach Cake's log.</summary>
/// <param name="line">Receives each line.</param>
internal sealed class ConsoleLines(Action<string> line) : TextWriter
{
    private readonly StringBuilder pending = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (pending)
        {
            if (value == '\n')
            {
                line(pending.ToString().TrimEnd('\r'));
                pending.Clear();
            }
            else
            {
                pending.Append(value);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (pending)
        {
            line(pending.Append(value).ToString());
            pending.Clear();
        }
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }
}
