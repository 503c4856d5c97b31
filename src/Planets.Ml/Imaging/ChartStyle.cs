using ScottPlot;
using SkiaSharp;

namespace Planets.Ml.Imaging;

/// <summary>
/// The one look of every plot the program draws: the Okabe-Ito colours (told apart with every kind of colour vision),
/// a plain white figure, light grid lines, axes on the left and bottom only, the same font sizes; a figure of several
/// panels side by side.
/// </summary>
internal static class ChartStyle
{
    /// <summary>Okabe-Ito blue: the first series, a right prediction.</summary>
    public static readonly Color Blue = Color.FromHex("#0072B2");

    /// <summary>Okabe-Ito vermillion: the second series, a wrong prediction.</summary>
    public static readonly Color Vermillion = Color.FromHex("#D55E00");

    /// <summary>The text colour: near-black, softer than black on white.</summary>
    public static readonly Color Ink = Color.FromHex("#222222");

    /// <summary>A plot in the common style, titled <paramref name="title"/>.</summary>
    public static Plot NewPlot(string title)
    {
        ChartFonts.EnsureRegistered();
        var plot = new Plot();
        plot.Title(title);
        plot.Axes.Title.Label.FontSize = 16;
        plot.Axes.Title.Label.ForeColor = Ink;
        foreach (var axis in new IAxis[] { plot.Axes.Left, plot.Axes.Bottom })
        {
            axis.Label.FontSize = 13;
            axis.Label.Bold = false;
            axis.Label.ForeColor = Ink;
            axis.TickLabelStyle.FontSize = 12;
            axis.TickLabelStyle.ForeColor = Ink;
        }

        plot.Axes.Right.FrameLineStyle.Width = 0;
        plot.Axes.Top.FrameLineStyle.Width = 0;
        plot.Grid.MajorLineColor = Color.FromHex("#E5E5E5");
        return plot;
    }

    /// <summary>Saves <paramref name="panels"/> side by side as one PNG of <paramref name="panelWidth"/> x <paramref name="height"/> pixels each.</summary>
    public static void SavePng(string path, int panelWidth, int height, params Plot[] panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        using var surface = SKSurface.Create(new SKImageInfo(panelWidth * panels.Length, height));
        surface.Canvas.Clear(SKColors.White);
        for (var i = 0; i < panels.Length; i++)
        {
            // Each on a surface of its own: a plot clears the whole canvas it renders on.
            using var panel = SKSurface.Create(new SKImageInfo(panelWidth, height));
            panels[i].Render(panel.Canvas, panelWidth, height);
            using var rendered = panel.Snapshot();
            surface.Canvas.DrawImage(rendered, i * panelWidth, 0);
        }

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        png.SaveTo(file);
    }
}
