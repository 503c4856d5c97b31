namespace Pipeline.Core.Stages;

/// <summary>A stage of a pipeline, written as a class of its own.</summary>
public interface IStage
{
    /// <summary>The stage's command, dependencies, parameters and outputs.</summary>
    StageDefinition Definition { get; }
}
