// Each test drives real 'dotnet cake' runs, and some measure how runs wait for each other's repository lock;
// on a small machine two test classes at once would starve those timings, so the classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
