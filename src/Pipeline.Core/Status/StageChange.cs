namespace Pipeline.Core.Status;

/// <summary>One reason a stage is not up to date, as a sentence a person can act on.</summary>
public abstract record StageChange
{
    /// <summary>Whether restoring the recorded outputs from the cache would fix this (true only for output changes).</summary>
    public virtual bool IsOutputOnly => false;

    /// <summary>A short description, such as <c>parameter train.epochs changed: 5 -> 6</c>.</summary>
    public abstract string Describe();
}

/// <summary>The stage has no entry in the lock file.</summary>
public sealed record NeverRan : StageChange
{
    /// <inheritdoc />
    public override string Describe() => "it has not run yet";
}

/// <summary>The stage's command line changed.</summary>
/// <param name="Old">The recorded command.</param>
/// <param name="New">The declared command.</param>
public sealed record CommandChanged(string Old, string New) : StageChange
{
    /// <inheritdoc />
    public override string Describe() => $"command changed: '{Old}' -> '{New}'";
}

/// <summary>A dependency's content, or the set of dependencies, changed.</summary>
/// <param name="Path">The dependency.</param>
/// <param name="How">modified, added or removed.</param>
public sealed record DependencyChanged(string Path, string How) : StageChange
{
    /// <inheritdoc />
    public override string Describe() => $"dependency {Path} {How}";
}

/// <summary>A parameter's value, or the set of parameters, changed.</summary>
/// <param name="Key">The parameter key.</param>
/// <param name="Old">The recorded value, or null when it was added.</param>
/// <param name="New">The current value, or null when it was removed.</param>
public sealed record ParameterChanged(string Key, string? Old, string? New) : StageChange
{
    /// <inheritdoc />
    public override string Describe() => (Old, New) switch
    {
        (null, _) => $"parameter {Key} added: {New}",
        (_, null) => $"parameter {Key} removed (was {Old})",
        _ => $"parameter {Key} changed: {Old} -> {New}",
    };
}

/// <summary>An output is missing or differs from what was recorded.</summary>
/// <param name="Path">The output.</param>
/// <param name="How">missing or modified.</param>
public sealed record OutputChanged(string Path, string How) : StageChange
{
    /// <inheritdoc />
    public override bool IsOutputOnly => true;

    /// <inheritdoc />
    public override string Describe() => $"output {Path} {How}";
}

/// <summary>The set of declared outputs differs from what was recorded.</summary>
/// <param name="Path">The output.</param>
/// <param name="How">added or removed.</param>
public sealed record OutputDeclarationChanged(string Path, string How) : StageChange
{
    /// <inheritdoc />
    public override string Describe() => $"output {Path} {How} in the stage definition";
}
