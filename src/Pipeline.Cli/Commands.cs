using System.CommandLine;
using System.Text;
using Pipeline.Core;
using Pipeline.Core.Workspace;
using Pipeline.Storage;

namespace Pipeline.Tool;

/// <summary>What every command shares: finding the repository, writing the result.</summary>
internal static class Commands
{
    /// <summary>The <c>--out</c> option of a command that prints data.</summary>
    public static Option<FileInfo?> OutputOption() =>
        new("--out") { Description = "Write to this file (whole, by rename) instead of stdout" };

    /// <summary>The <c>--repository</c> option: where the pipeline is.</summary>
    public static Option<DirectoryInfo?> RepositoryOption() =>
        new("--repository", "-C") { Description = "The repository (default: the nearest folder up from here with a .pipeline folder)" };

    /// <summary><paramref name="given"/>, or the nearest folder up from the current one holding a <c>.pipeline</c> folder, or the current one.</summary>
    public static string RootOf(DirectoryInfo? given)
    {
        if (given is not null)
        {
            return given.Exists ? given.FullName : throw new PipelineException($"--repository {given}: no such folder");
        }

        var dataFolder = new PipelineSettings().DataFolder;
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            if (Directory.Exists(Path.Combine(folder.FullName, dataFolder)))
            {
                return folder.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="file"/> by rename, or to stdout.</summary>
    public static async Task WriteAsync(string text, FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            await Console.Out.WriteAsync(text.AsMemory(), cancellationToken);
            return;
        }

        await AtomicFile.WriteAllBytesAsync(file.FullName, Encoding.UTF8.GetBytes(text), cancellationToken);
    }
}
