using System.Collections.Concurrent;

namespace Planets.Serving.LabelStudio;

/// <summary>What a Label Studio project told the backend in <c>/setup</c>.</summary>
/// <param name="Config">Its labeling configuration, mapped onto the model's labels.</param>
/// <param name="Hostname">Its server's address, for upload paths; null when not given.</param>
/// <param name="AccessToken">The token its images are fetched with; null when not given.</param>
public sealed record ProjectSetup(LabelConfig Config, Uri? Hostname, string? AccessToken);

/// <summary>
/// The projects set up so far, by Label Studio's project key (<c>id.timestamp</c>). Kept in memory: Label Studio
/// calls <c>/setup</c> again whenever it connects, and every <c>/predict</c> carries the configuration anyway.
/// </summary>
public sealed class LabelStudioProjects
{
    private readonly ConcurrentDictionary<string, ProjectSetup> _projects = new(StringComparer.Ordinal);

    /// <summary>Remembers <paramref name="setup"/> for <paramref name="project"/>.</summary>
    public void Remember(string project, ProjectSetup setup) => _projects[project] = setup;

    /// <summary>The setup of <paramref name="project"/>, or null.</summary>
    public ProjectSetup? Find(string? project) => project is not null && _projects.TryGetValue(project, out var setup) ? setup : null;
}
