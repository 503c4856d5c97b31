namespace Pipeline.Storage.Objects;

/// <summary>How a transfer learns which objects a remote object database already has.</summary>
public enum ExistenceMethod
{
    /// <summary>Ask for each object (HEAD on S3), <c>jobs</c> at a time.</summary>
    PerObject,

    /// <summary>List the whole remote, one page (1,000 keys on S3) after another.</summary>
    ListAll,

    /// <summary>List the 256 two-hex-digit prefixes, <c>jobs</c> at a time.</summary>
    ListByPrefix,
}

/// <summary>
/// Chooses the cheapest way to learn what a remote has, counted in round trips: asking for each of N objects costs
/// N / jobs; listing costs one page per 1,000 objects the remote holds, which a sample of one prefix
/// (<c>00</c>, about 1/256 of the objects) estimates.
/// </summary>
public static class ExistenceCheck
{
    /// <summary>Keys per listing page (the S3 maximum).</summary>
    public const int PageSize = 1000;

    /// <summary>The number of shards an algorithm's objects are listed by.</summary>
    public const int Prefixes = ObjectLayout.ShardsPerAlgorithm;

    /// <summary>Whether <paramref name="wanted"/> objects are few enough that one round of per-object checks beats even one listing.</summary>
    public static bool AskEachWithoutSampling(int wanted, int jobs) => wanted <= jobs;

    /// <summary>The cheapest method for <paramref name="wanted"/> objects, given <paramref name="sampled"/> objects under prefix <c>00</c>.</summary>
    public static ExistenceMethod Choose(int wanted, int sampled, int jobs)
    {
        jobs = Math.Max(jobs, 1);
        var estimated = (long)sampled * Prefixes;
        var perObject = Rounds(wanted, jobs);
        var listAll = 1 + (estimated / PageSize);
        var byPrefix = Rounds(Prefixes + (estimated / PageSize), jobs);
        if (perObject <= listAll && perObject <= byPrefix)
        {
            return ExistenceMethod.PerObject;
        }

        return listAll <= byPrefix ? ExistenceMethod.ListAll : ExistenceMethod.ListByPrefix;
    }

    private static long Rounds(long requests, int jobs) => (requests + jobs - 1) / jobs;
}
