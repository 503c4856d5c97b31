namespace Planets.Ml.Imaging;

/// <summary>
/// Gives ScottPlot a real font. The dependency-free Skia natives used here do not consult
/// fontconfig, so without a font file registered by path every label would render as blanks.
/// </summary>
internal static class ChartFonts
{
    private const string Family = "DejaVu Sans";

    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];

    private static readonly Lazy<bool> Registered = new(Register);

    /// <summary>Registers the font once per process; a no-op where no candidate file exists.</summary>
    public static void EnsureRegistered() => _ = Registered.Value;

    private static bool Register()
    {
        var path = Candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            return false;
        }

        ScottPlot.Fonts.AddFontFile(Family, path, bold: false, italic: false);
        ScottPlot.Fonts.Default = Family;
        ScottPlot.Fonts.Sans = Family;
        return true;
    }
}
