// The pipeline lives in build/ as typed C# (stages, their dependencies, parameters and outputs);
// this script only hands Cake's Task and Teardown to it. Build it first: ./build.sh does both.
#r "artifacts/bin/Planets.Build/release/Planets.Build.dll"

RunTarget(Planets.Build.PlanetsPipeline.Register(Context, Task, Teardown));
