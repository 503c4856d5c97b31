using Pipeline.Core.Git;
using Pipeline.Core.Workspace;

namespace Pipeline.Core.Experiments;

/// <summary>
/// Where one experiment runs: a git work tree of the base commit in <c>.pipeline/experiments/workspaces/NAME</c>, so
/// it holds exactly the committed files, plus links to the repository's cache and run-cache (outputs land in the
/// shared cache; a stage run before is restored, not rerun) and to the untracked paths the pipeline names (such as
/// build output). Nothing else of the user's workspace is in it: the rule is "committed files and named links".
/// A pipeline in a subfolder of its git repository runs in the same subfolder of the work tree.
/// </summary>
public sealed class ExperimentWorkspace
{
    private readonly GitRepository _git;
    private readonly string _workTree;

    private ExperimentWorkspace(GitRepository git, string workTree, string root)
    {
        _git = git;
        _workTree = workTree;
        Root = root;
    }

    /// <summary>The pipeline's root in the experiment's work tree: where it runs.</summary>
    public string Root { get; }

    /// <summary>Makes the work tree of <paramref name="commit"/> for experiment <paramref name="name"/> with <paramref name="parameters"/> as its parameters file.</summary>
    /// <exception cref="PipelineException">A workspace of that name is left from a failed run, or git refuses.</exception>
    public static async Task<ExperimentWorkspace> CreateAsync(
        PipelineWorkspace repository, string name, string commit, string parameters, IEnumerable<string> links, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(links);
        var workTree = Path.Combine(repository.Root, repository.Settings.DataFolder, "experiments", "workspaces", name);
        if (Directory.Exists(workTree))
        {
            throw new PipelineException($"{workTree}: the workspace of an earlier run of '{name}' is kept for inspection; remove it (git worktree remove --force {workTree}) or choose another --name");
        }

        var git = new GitRepository(repository.Root);
        var prefix = await git.PrefixAsync(cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(workTree)!);
        await git.AddWorktreeAsync(workTree, commit, cancellationToken);
        var root = Path.TrimEndingDirectorySeparator(Path.Combine(workTree, prefix));
        var workspace = new ExperimentWorkspace(git, workTree, root);
        try
        {
            var shared = new[] { Path.Combine(repository.Settings.DataFolder, "cache"), Path.Combine(repository.Settings.DataFolder, "runs") };
            foreach (var link in shared.Concat(links))
            {
                Link(repository.Resolve(link), Path.Combine(root, link), create: shared.Contains(link));
            }

            await File.WriteAllTextAsync(Path.Combine(root, repository.Settings.ParametersFile), parameters, cancellationToken);
            return workspace;
        }
        catch
        {
            await workspace.RemoveAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Removes the work tree (the shared cache and the linked paths stay as they are).</summary>
    public Task RemoveAsync(CancellationToken cancellationToken) => _git.RemoveWorktreeAsync(_workTree, cancellationToken);

    private static void Link(string target, string link, bool create)
    {
        if (create)
        {
            Directory.CreateDirectory(target);
        }
        else if (!Directory.Exists(target) && !File.Exists(target))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        if (Directory.Exists(link) || File.Exists(link))
        {
            throw new PipelineException($"{link}: the experiment's link to {target} is a committed path; the links name untracked paths only");
        }

        if (Directory.Exists(target))
        {
            Directory.CreateSymbolicLink(link, target);
        }
        else
        {
            File.CreateSymbolicLink(link, target);
        }
    }
}
