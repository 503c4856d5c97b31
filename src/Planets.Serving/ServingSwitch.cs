namespace Planets.Serving;

/// <summary>One command-line switch of the service and the configuration key it sets.</summary>
/// <param name="Name">The switch, <c>--name</c>.</param>
/// <param name="Key">The configuration key (also settable as a <c>PLANETS_SERVING_</c> variable).</param>
/// <param name="Description">What it sets, for the help.</param>
/// <param name="Labeling">Whether only the labeling page (<c>label</c>) takes it.</param>
public sealed record ServingSwitch(string Name, string Key, string Description, bool Labeling = false);
