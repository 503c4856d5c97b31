namespace Pipeline.Kubernetes;

/// <summary>The training pod could not run to its end: it was not schedulable, its image could not be pulled, or it ran out of time.</summary>
public class TrainingPodException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingPodException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public TrainingPodException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public TrainingPodException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
