using System.IO.Enumeration;
using Pipeline.Core.Graph;
using Pipeline.Core.LockFiles;
using Pipeline.Core.Stages;
using Pipeline.Core.Workspace;
using Pipeline.Storage;

namespace Pipeline.Core.Tracking;

/// <summary>
/// Raw inputs that no stage writes, tracked like DVC's <c>dvc add</c>: cached, recorded in a pointer file beside them,
/// and ignored by git so that only the pointer is committed.
/// </summary>
/// <param name="workspace">The repository.</param>
public sealed class TrackedData(PipelineWorkspace workspace)
{
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { "bin", "obj", "artifacts", "node_modules" };

    /// <summary>Caches <paramref name="path"/> and writes its pointer file and a .gitignore entry beside it.</summary>
    /// <param name="path">A repository-relative file or folder.</param>
    /// <param name="stages">The pipeline's stages: their outputs are recorded by the lock file, not by pointers.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The written pointer.</returns>
    /// <exception cref="PipelineException">The path does not exist, lies outside the repository or is a stage's output.</exception>
    public async Task<PointerFile> AddAsync(string path, IEnumerable<StageDefinition> stages, CancellationToken cancellationToken)
    {
        var relative = Normalise(path);
        var owner = stages.FirstOrDefault(s => s.AllOutputs.Any(o => PipelineGraph.Overlaps(o, relative)));
        if (owner is not null)
        {
            throw new PipelineException($"--path: '{relative}' is an output of stage '{owner.Name}'; the lock file tracks it already");
        }

        var full = workspace.Resolve(relative);
        if (!workspace.WorkTree.Exists(relative))
        {
            throw new PipelineException($"--path: '{relative}' does not exist; expected a file or folder in the repository");
        }

        var hashed = await workspace.Hasher.HashAsync(full, cancellationToken);
        await workspace.Cache.AddAsync(full, hashed, cancellationToken);
        var pointer = new PointerFile(new PathState(relative, hashed.Info));
        await pointer.WriteAsync(workspace.Root, cancellationToken);
        await IgnoreInGitAsync(relative, cancellationToken);
        await workspace.SaveStateAsync(cancellationToken);
        return pointer;
    }

    /// <summary>Every pointer file in the repository, by path; folders the pipeline owns or tracks are not searched.</summary>
    /// <exception cref="PipelineException">A pointer file cannot be read.</exception>
    public async Task<IReadOnlyList<PointerFile>> FindAsync(CancellationToken cancellationToken)
    {
        var pointers = new List<PointerFile>();
        foreach (var pointerPath in FindPointerPaths())
        {
            pointers.Add(await PointerFile.ReadAsync(workspace.Root, pointerPath, cancellationToken));
        }

        return pointers;
    }

    /// <summary>The tracked paths whose workspace content differs from their pointer, each with how.</summary>
    public async Task<IReadOnlyList<(PointerFile Pointer, string How)>> ChangedAsync(CancellationToken cancellationToken)
    {
        var changed = new List<(PointerFile, string)>();
        foreach (var pointer in await FindAsync(cancellationToken))
        {
            var full = workspace.Resolve(pointer.Tracked.Path);
            if (!workspace.WorkTree.Exists(pointer.Tracked.Path))
            {
                changed.Add((pointer, "missing"));
            }
            else if ((await workspace.Hasher.HashAsync(full, pointer.Tracked.Content.Hash.Algorithm, cancellationToken)).Info.Hash != pointer.Tracked.Content.Hash)
            {
                changed.Add((pointer, "modified"));
            }
        }

        return changed;
    }

    private List<string> FindPointerPaths()
    {
        var root = workspace.Root;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        var paths = new FileSystemEnumerable<string>(root, (ref FileSystemEntry entry) => entry.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                !entry.IsDirectory && entry.FileName.EndsWith(PointerFile.Extension, StringComparison.Ordinal),
            // A tracked folder can hold many thousands of files and never a pointer of ours; hidden folders are tools'.
            ShouldRecursePredicate = (ref FileSystemEntry entry) =>
                !entry.FileName.StartsWith('.') && !SkippedFolders.Contains(entry.FileName.ToString()) &&
                !File.Exists(entry.ToFullPath() + PointerFile.Extension),
        };
        return [.. paths.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).Order(StringComparer.Ordinal)];
    }

    private string Normalise(string path)
    {
        var relative = Path.GetRelativePath(workspace.Root, workspace.Resolve(path.TrimEnd('/'))).Replace('\\', '/');
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ||
            relative.Split('/')[0] == workspace.Settings.DataFolder)
        {
            throw new PipelineException($"--path: '{path}' is not a file or folder inside the repository");
        }

        return relative;
    }

    // As DVC does: the data stays out of git, the pointer goes in.
    private async Task IgnoreInGitAsync(string relative, CancellationToken cancellationToken)
    {
        var gitignore = workspace.Resolve(Path.Combine(Path.GetDirectoryName(relative) ?? "", ".gitignore"));
        var entry = "/" + Path.GetFileName(relative);
        var lines = File.Exists(gitignore) ? await File.ReadAllLinesAsync(gitignore, cancellationToken) : [];
        if (!lines.Contains(entry, StringComparer.Ordinal))
        {
            var text = string.Concat(lines.Append(entry).Select(line => line + "\n"));
            await AtomicFile.WriteAllBytesAsync(gitignore, System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);
        }
    }
}
