namespace Pipeline.Core.Execution;

/// <summary>Where the engine reports what it does; the Cake adapter writes it to Cake's log.</summary>
public interface IPipelineLog
{
    /// <summary>Something a person running the pipeline wants to see.</summary>
    void Information(string message);

    /// <summary>Something that went wrong but did not stop the run.</summary>
    void Warning(string message);

    /// <summary>Detail for diagnosing the pipeline itself.</summary>
    void Verbose(string message);
}
