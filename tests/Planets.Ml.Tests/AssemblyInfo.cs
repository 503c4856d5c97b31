// libtorch's RNG and thread settings are process-wide: two trainings running at once would draw
// from the same generator and break the determinism the tests check.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
