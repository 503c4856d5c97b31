// libtorch's RNG and thread settings are process-wide (training in the fixture), and the service's
// Prometheus collectors are process-wide too: run test classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
