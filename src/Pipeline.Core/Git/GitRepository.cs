using System.ComponentModel;
using System.Globalization;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace Pipeline.Core.Git;

/// <summary>
/// Reads files and refs of the git repository that holds the pipeline, through the <c>git</c> command line.
/// Paths are relative to the pipeline's root, which may be a folder inside the git repository.
/// </summary>
/// <param name="root">The pipeline's root folder.</param>
public sealed class GitRepository(string root)
{
    // Deepening by steps fetches little when the answer is near; null is the rest of the history.
    private static readonly int?[] DeepeningSteps = [50, 500, null];

    /// <summary>The full commit id of <paramref name="revision"/> (a branch, tag, sha or expression like <c>HEAD~1</c>).</summary>
    /// <exception cref="PipelineException">The folder is not in a git repository or the revision does not exist.</exception>
    public async Task<string> ResolveAsync(string revision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);
        await RequireRepositoryAsync(cancellationToken);
        var result = await RunAsync(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"], cancellationToken);
        return result.ExitCode == 0
            ? result.StandardOutput.Trim()
            : throw new PipelineException($"--rev: '{revision}' is not a branch, tag or commit of this git repository");
    }

    /// <summary>The HEAD commit, or null outside a git work tree, before the first commit, or without git.</summary>
    public async Task<string?> HeadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ResolveAsync("HEAD", cancellationToken);
        }
        catch (PipelineException)
        {
            return null;
        }
    }

    /// <summary>The URL of the git remote <paramref name="name"/>, or null when there is none (or no git).</summary>
    public async Task<string?> RemoteUrlAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var result = await RunAsync(["remote", "get-url", "--", name], cancellationToken);
            var url = result.StandardOutput.Trim();
            return result.ExitCode == 0 && url.Length > 0 ? url : null;
        }
        catch (PipelineException)
        {
            return null;
        }
    }

    /// <summary>The text of <paramref name="path"/> at <paramref name="commit"/>, or <c>null</c> when it is not committed there.</summary>
    public async Task<string?> ShowAsync(string commit, string path, CancellationToken cancellationToken)
    {
        // "./" makes the path relative to the pipeline's root rather than to the top of the git repository.
        var result = await RunAsync(["show", $"{commit}:./{path}"], cancellationToken);
        return result.ExitCode == 0 ? result.StandardOutput : null;
    }

    /// <summary>
    /// The texts of many files at many commits, in order, through one git process (<c>git cat-file --batch</c>) however
    /// many there are; null where a file is not committed at that commit.
    /// </summary>
    /// <param name="files">Each commit and path (relative to the pipeline's root).</param>
    /// <param name="cancellationToken">Stops git.</param>
    public async Task<IReadOnlyList<string?>> ShowManyAsync(IReadOnlyList<(string Commit, string Path)> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            return [];
        }

        var prefix = await PrefixAsync(cancellationToken);
        var input = string.Concat(files.Select(f => $"{f.Commit}:{prefix}{f.Path}\n"));
        using var output = new MemoryStream();
        var result = await Cli.Wrap("git")
            .WithArguments(["cat-file", "--batch"])
            .WithWorkingDirectory(root)
            .WithStandardInputPipe(PipeSource.FromString(input, Encoding.UTF8))
            .WithStandardOutputPipe(PipeTarget.ToStream(output))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(cancellationToken);
        return result.ExitCode == 0
            ? BatchTexts(output.GetBuffer().AsSpan(0, (int)output.Length), files.Count)
            : throw new PipelineException($"git cat-file --batch failed with exit code {result.ExitCode}");
    }

    /// <summary>Each commit's id, commit time and subject, newest first.</summary>
    /// <param name="commits">The commits.</param>
    /// <param name="cancellationToken">Stops git.</param>
    public async Task<IReadOnlyList<CommitSummary>> DescribeAsync(IReadOnlyList<string> commits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commits);
        if (commits.Count == 0)
        {
            return [];
        }

        var text = await RunCheckedAsync(["log", "--no-walk=sorted", "--stdin", "--format=%H%x1f%cI%x1f%s"], cancellationToken, input: string.Join('\n', commits) + "\n");
        return [.. Lines(text).Select(line => line.Split('\u001f')).Select(parts => new CommitSummary(parts[0], DateTimeOffset.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]))];
    }

    // Each answer is "<id> blob <size>\n<size bytes>\n", or "<what was asked> missing\n" (also "ambiguous").
    private static string?[] BatchTexts(ReadOnlySpan<byte> output, int count)
    {
        var texts = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var end = output.IndexOf((byte)'\n');
            var header = Encoding.UTF8.GetString(output[..end]).Split(' ');
            output = output[(end + 1)..];
            if (header.Length == 3)
            {
                // Any object's content follows its header; only a file's is text (a folder's path names a tree).
                var size = int.Parse(header[2], CultureInfo.InvariantCulture);
                texts[i] = header[1] == "blob" ? Encoding.UTF8.GetString(output[..size]) : null;
                output = output[(size + 1)..];
            }
        }

        return texts;
    }

    /// <summary>Every file committed at <paramref name="commit"/> below the pipeline's root, relative to it.</summary>
    public async Task<IReadOnlyList<string>> ListFilesAsync(string commit, CancellationToken cancellationToken)
    {
        var result = await RunCheckedAsync(["ls-tree", "-r", "--name-only", "-z", commit], cancellationToken);
        return result.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// The last commit that changed any of <paramref name="paths"/>, with its commit time; null outside a git work
    /// tree, without git, or when no commit touches them. In a shallow clone whose history ends before that commit
    /// (git then takes the oldest commit it has for the answer), more history is fetched from the default remote
    /// until the answer is the one a full clone gives; <paramref name="fetching"/> is told before each fetch.
    /// </summary>
    /// <exception cref="PipelineException">The clone is shallow and fetching more history failed.</exception>
    public async Task<SourceCommit?> LastCommitTouchingAsync(IEnumerable<string> paths, Action<string> fetching, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(fetching);
        var pathspecs = paths.Where(p => !Path.IsPathRooted(p)).Select(p => $"./{p}").ToList();
        var steps = new Queue<int?>(DeepeningSteps);
        while (true)
        {
            if (await LastCommitAsync(pathspecs, cancellationToken) is not { } commit)
            {
                return null;
            }

            var boundaries = await ShallowBoundariesAsync(cancellationToken);
            if (!boundaries.Contains(commit.Sha) || !steps.TryDequeue(out var depth))
            {
                // After the last step the history is whole: there is no boundary left to stop at.
                return commit;
            }

            fetching(depth is { } commits ? $"{commits} more commits" : "the rest of the history");
            await FetchHistoryAsync(depth, boundaries, cancellationToken);
        }
    }

    private async Task<SourceCommit?> LastCommitAsync(IReadOnlyList<string> pathspecs, CancellationToken cancellationToken)
    {
        try
        {
            var result = await RunAsync(["log", "-1", "--format=%H %ct", "--", .. pathspecs], cancellationToken);
            return result.ExitCode == 0 && result.StandardOutput.Trim().Split(' ') is [var sha, var time]
                && long.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                ? new SourceCommit(sha, DateTimeOffset.FromUnixTimeSeconds(seconds))
                : null;
        }
        catch (PipelineException)
        {
            // No git: the stage simply runs without a source revision.
            return null;
        }
    }

    // The commits where a shallow clone's history is cut: git lists them in the repository's "shallow" file.
    private async Task<IReadOnlySet<string>> ShallowBoundariesAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["rev-parse", "--path-format=absolute", "--git-path", "shallow"], cancellationToken);
        var file = result.StandardOutput.Trim();
        return result.ExitCode == 0 && File.Exists(file)
            ? Lines(await File.ReadAllTextAsync(file, cancellationToken)).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();
    }

    // Throws unless the fetch moved the history's end: a clone without a remote "fetches" nothing and succeeds.
    private async Task FetchHistoryAsync(int? depth, IReadOnlySet<string> boundaries, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["fetch", "--quiet", depth is { } commits ? $"--deepen={commits}" : "--unshallow"], cancellationToken);
        var why = result.ExitCode != 0
            ? Lines(result.StandardError).FirstOrDefault() ?? $"git fetch exited with code {result.ExitCode}"
            : (await ShallowBoundariesAsync(cancellationToken)).SetEquals(boundaries) && boundaries.Count > 0 ? "git fetch got no more history: has the clone a remote?" : null;
        if (why is not null)
        {
            throw new PipelineException(
                $"this is a shallow clone and the commit that last changed the stage's dependencies lies beyond its history; fetching more failed ({why}). Run 'git fetch --unshallow' (in GitHub Actions: actions/checkout with fetch-depth: 0)");
        }
    }

    /// <summary>The commits that the chosen refs point at, or every commit; each once.</summary>
    /// <exception cref="PipelineException">The folder is not in a git repository.</exception>
    public async Task<IReadOnlyList<string>> CommitsAsync(bool branches, bool tags, bool allCommits, CancellationToken cancellationToken)
    {
        await RequireRepositoryAsync(cancellationToken);
        var commits = new List<string>();
        if (allCommits)
        {
            commits.AddRange(Lines(await RunCheckedAsync(["rev-list", "--all"], cancellationToken)));
        }

        var patterns = new List<string>();
        if (branches)
        {
            patterns.Add("refs/heads");
        }

        if (tags)
        {
            patterns.Add("refs/tags");
        }

        if (patterns.Count > 0)
        {
            // %(*objectname) is the commit an annotated tag points at; empty for anything else.
            var refs = await RunCheckedAsync(["for-each-ref", "--format=%(objectname) %(*objectname)", .. patterns], cancellationToken);
            commits.AddRange(Lines(refs).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]));
        }

        return [.. commits.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Checks <paramref name="commit"/> out, detached, into a new linked work tree at <paramref name="path"/>.</summary>
    /// <exception cref="PipelineException">git refuses (the path exists, or the commit does not).</exception>
    public async Task AddWorktreeAsync(string path, string commit, CancellationToken cancellationToken)
    {
        await RequireRepositoryAsync(cancellationToken);
        await RunCheckedAsync(["worktree", "add", "--detach", "--quiet", path, commit], cancellationToken);
    }

    /// <summary>
    /// Where the pipeline's root is inside the repository, as git writes paths (<c>samples/churn/</c>; empty at the
    /// top): a pipeline can live in a subfolder of a larger repository.
    /// </summary>
    public async Task<string> PrefixAsync(CancellationToken cancellationToken)
    {
        await RequireRepositoryAsync(cancellationToken);
        return (await RunCheckedAsync(["rev-parse", "--show-prefix"], cancellationToken)).Trim();
    }

    /// <summary>Removes the linked work tree at <paramref name="path"/> and what is in it.</summary>
    public async Task RemoveWorktreeAsync(string path, CancellationToken cancellationToken)
    {
        await RunCheckedAsync(["worktree", "remove", "--force", path], cancellationToken);
    }

    /// <summary>The commits reachable from HEAD but not from <paramref name="revision"/>: a branch's own commits.</summary>
    /// <exception cref="PipelineException">The revision does not exist.</exception>
    public async Task<IReadOnlyList<string>> CommitsSinceAsync(string revision, CancellationToken cancellationToken)
    {
        var start = await ResolveAsync(revision, cancellationToken);
        return Lines(await RunCheckedAsync(["rev-list", $"{start}..HEAD"], cancellationToken));
    }

    /// <summary>Which of <paramref name="paths"/> differ from HEAD in the work tree or the index.</summary>
    public async Task<IReadOnlyList<string>> ModifiedAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        await RequireRepositoryAsync(cancellationToken);
        var output = await RunCheckedAsync(["status", "--porcelain=v1", "--untracked-files=no", "--", .. paths.Select(p => "./" + p)], cancellationToken);
        return [.. Lines(output).Select(l => l[2..].Trim())];
    }

    /// <summary>
    /// Makes a commit on <paramref name="parent"/> whose tree is the parent's with <paramref name="files"/> (paths
    /// relative to the pipeline's root, and their text) added or replaced, through a temporary index: the work tree,
    /// the index and every branch stay as they are.
    /// </summary>
    /// <returns>The new commit's id.</returns>
    /// <exception cref="PipelineException">git refuses, such as for want of a committer identity (git config user.name and user.email).</exception>
    public async Task<string> CommitFilesAsync(string parent, IReadOnlyDictionary<string, string> files, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var prefix = await PrefixAsync(cancellationToken);
        var index = Path.Combine(Path.GetTempPath(), $"pipeline-index-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string?> { ["GIT_INDEX_FILE"] = index };
        try
        {
            await RunCheckedAsync(["read-tree", parent], cancellationToken, environment);
            foreach (var (path, text) in files)
            {
                var blob = (await RunCheckedAsync(["hash-object", "-w", "--stdin"], cancellationToken, input: text)).Trim();
                await RunCheckedAsync(["update-index", "--add", "--cacheinfo", $"100644,{blob},{prefix}{path}"], cancellationToken, environment);
            }

            var tree = (await RunCheckedAsync(["write-tree"], cancellationToken, environment)).Trim();
            return (await RunCheckedAsync(["commit-tree", tree, "-p", parent, "-m", message], cancellationToken)).Trim();
        }
        finally
        {
            File.Delete(index);
        }
    }

    /// <summary>Creates the ref <paramref name="name"/> (such as <c>refs/heads/NAME</c>) at <paramref name="commit"/>.</summary>
    /// <exception cref="PipelineException">The ref exists already (unless <paramref name="replace"/>), or its name is not a valid ref.</exception>
    public async Task CreateRefAsync(string name, string commit, bool replace, CancellationToken cancellationToken)
    {
        var check = await RunAsync(["check-ref-format", name], cancellationToken);
        if (check.ExitCode != 0)
        {
            throw new PipelineException($"'{name}' is not a valid git ref name");
        }

        var result = await RunAsync(["update-ref", name, commit, .. replace ? Array.Empty<string>() : [new string('0', 40)]], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new PipelineException(replace ? $"git update-ref {name} failed: {result.StandardError.Trim()}" : $"'{name}' exists already; choose another name");
        }
    }

    /// <summary>The refs below <paramref name="prefix"/> (such as <c>refs/experiments/</c>) and their commits.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RefsAsync(string prefix, CancellationToken cancellationToken)
    {
        var output = await RunCheckedAsync(["for-each-ref", "--format=%(refname) %(objectname)", prefix], cancellationToken);
        return Lines(output).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    /// <summary>The branch HEAD is on, or null when HEAD is detached.</summary>
    public async Task<string?> CurrentBranchAsync(CancellationToken cancellationToken)
    {
        await RequireRepositoryAsync(cancellationToken);
        var result = await RunAsync(["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken);
        return result.ExitCode == 0 ? result.StandardOutput.Trim() : null;
    }

    /// <summary>
    /// Commits the work tree's <paramref name="paths"/> (relative to the pipeline's root, tracked or new) on the current
    /// branch when any of them differs from HEAD, and nothing else the index holds.
    /// </summary>
    /// <param name="paths">The files to commit.</param>
    /// <param name="message">The commit message.</param>
    /// <param name="author">Who commits, when git's configuration should not decide (a CI runner has no identity).</param>
    /// <param name="cancellationToken">Stops git.</param>
    /// <returns>The new commit's id, or null when the files are as HEAD has them.</returns>
    /// <exception cref="PipelineException">git refuses, such as for want of an identity; the message is git's.</exception>
    public async Task<string?> CommitChangesAsync(IReadOnlyList<string> paths, string message, GitIdentity? author, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        await RequireRepositoryAsync(cancellationToken);
        string[] pathspecs = ["--", .. paths.Select(p => "./" + p)];
        await RunCheckedAsync(["add", .. pathspecs], cancellationToken);
        if ((await RunAsync(["diff", "--cached", "--quiet", .. pathspecs], cancellationToken)).ExitCode == 0)
        {
            return null;
        }

        string[] identity = author is null ? [] : ["-c", $"user.name={author.Name}", "-c", $"user.email={author.Email}"];
        await RunCheckedAsync([.. identity, "commit", "--quiet", "--only", "-m", message, .. pathspecs], cancellationToken);
        return await ResolveAsync("HEAD", cancellationToken);
    }

    /// <summary>Pushes <paramref name="refspecs"/> to the git remote <paramref name="remote"/>.</summary>
    /// <exception cref="PipelineException">git cannot push; the message is git's.</exception>
    public Task PushAsync(string remote, IEnumerable<string> refspecs, CancellationToken cancellationToken) =>
        RunCheckedAsync(["push", "--quiet", remote, .. refspecs], cancellationToken);

    /// <summary>Fetches <paramref name="refspecs"/> from the git remote <paramref name="remote"/>.</summary>
    /// <exception cref="PipelineException">git cannot fetch; the message is git's.</exception>
    public Task FetchAsync(string remote, IEnumerable<string> refspecs, CancellationToken cancellationToken) =>
        RunCheckedAsync(["fetch", "--quiet", remote, .. refspecs], cancellationToken);

    private async Task RequireRepositoryAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["rev-parse", "--git-dir"], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new PipelineException($"'{root}' is not inside a git repository; this needs git (run 'git init' and commit first)");
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<string> RunCheckedAsync(
        IReadOnlyList<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? environment = null, string? input = null)
    {
        var result = await RunAsync(arguments, cancellationToken, environment, input);
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new PipelineException($"git {string.Join(' ', arguments)} failed: {result.StandardError.Trim()}");
    }

    private async Task<BufferedCommandResult> RunAsync(
        IReadOnlyList<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? environment = null, string? input = null)
    {
        try
        {
            return await Cli.Wrap("git")
                .WithArguments(arguments)
                .WithWorkingDirectory(root)
                .WithEnvironmentVariables(environment ?? new Dictionary<string, string?>())
                .WithStandardInputPipe(input is null ? PipeSource.Null : PipeSource.FromString(input, Encoding.UTF8))
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync(Encoding.UTF8, cancellationToken);
        }
        catch (Win32Exception e)
        {
            throw new PipelineException($"cannot run git: {e.Message}; install git and put it on PATH", e);
        }
    }
}

/// <summary>A commit, its commit time and its subject line.</summary>
/// <param name="Sha">The full commit id.</param>
/// <param name="Time">When it was committed.</param>
/// <param name="Subject">The first line of its message.</param>
public sealed record CommitSummary(string Sha, DateTimeOffset Time, string Subject)
{
    /// <summary>The id as people read it: its first 7 characters.</summary>
    public string ShortSha => Sha[..Math.Min(7, Sha.Length)];
}

/// <summary>A commit and its commit time.</summary>
/// <param name="Sha">The full commit id.</param>
/// <param name="Time">When it was committed.</param>
public sealed record SourceCommit(string Sha, DateTimeOffset Time);
