using Planets.Models.Preprocessing;
using ScottPlot;
using SkiaSharp;

namespace Planets.Ml.Imaging;

/// <summary>One image of a grid: channel-first pixels in [0, 1], a caption and an optional border.</summary>
/// <param name="Pixels">C x H x W pixels.</param>
/// <param name="Options">Shape of <paramref name="Pixels"/>.</param>
/// <param name="Caption">Text under the image (may hold a line break).</param>
/// <param name="Border">The border, or null for none.</param>
internal sealed record GridTile(float[] Pixels, PreprocessOptions Options, string Caption, TileBorder? Border);

/// <summary>A tile's border: a colour and, so it reads without colour too, solid or dashed.</summary>
/// <param name="Color">The border's colour.</param>
/// <param name="Dashed">Dashed rather than solid.</param>
internal sealed record TileBorder(Color Color, bool Dashed);

/// <summary>A run of tiles starting on a new row, under an optional heading.</summary>
/// <param name="Heading">The heading, or null for none.</param>
/// <param name="Tiles">The tiles, row by row.</param>
internal sealed record GridSection(string? Heading, IReadOnlyList<GridTile> Tiles);

/// <summary>Renders captioned images in a grid as a ScottPlot figure (preview and prediction preview).</summary>
internal static class ImageGridChart
{
    private const int Upscale = 4;
    private const double TileHeight = 1.65;
    private const double TileWidth = 1.25;
    private const double HeadingHeight = 0.4;
    private const double PixelsPerUnit = 120;
    private const int TitleHeight = 40;

    /// <summary>Saves <paramref name="tiles"/> as a PNG grid with <paramref name="columns"/> columns.</summary>
    public static void Save(string path, string title, IReadOnlyList<GridTile> tiles, int columns) =>
        Save(path, title, [new GridSection(null, tiles)], columns);

    /// <summary>Saves <paramref name="sections"/> as a PNG grid with <paramref name="columns"/> columns, each section from a new row.</summary>
    public static void Save(string path, string title, IReadOnlyList<GridSection> sections, int columns)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var plot = ChartStyle.NewPlot(title);
        var top = 0.0;
        foreach (var section in sections)
        {
            if (section.Heading is { } heading)
            {
                top -= HeadingHeight;
                var text = plot.Add.Text(heading, -0.1, top + 1.08);
                text.LabelAlignment = Alignment.LowerLeft;
                text.LabelFontSize = 14;
                text.LabelBold = true;
                text.LabelFontColor = ChartStyle.Ink;
            }

            for (var i = 0; i < section.Tiles.Count; i++)
            {
                AddTile(plot, section.Tiles[i], i % columns * TileWidth, top - (i / columns * TileHeight));
            }

            top -= Math.Max(1, (section.Tiles.Count + columns - 1) / columns) * TileHeight;
        }

        var (left, right) = (-0.15, (columns * TileWidth) - 0.1);
        var (bottom, upper) = (top + TileHeight - 0.6, sections[0].Heading is null ? 1.1 : 1.0);
        plot.Axes.Frameless();
        plot.Axes.Title.IsVisible = true;
        plot.HideGrid();
        plot.Axes.SetLimits(left, right, bottom, upper);
        // Same pixels per unit on both axes, so the images stay square.
        plot.SavePng(path, (int)((right - left) * PixelsPerUnit), (int)((upper - bottom) * PixelsPerUnit) + TitleHeight);
    }

    private static void AddTile(Plot plot, GridTile tile, double left, double bottom)
    {
        using var bitmap = ToBitmap(tile.Pixels, tile.Options);
        var image = new Image(bitmap);
        plot.Add.ImageRect(image, new CoordinateRect(left, left + 1, bottom, bottom + 1));
        if (tile.Border is { } border)
        {
            var rect = plot.Add.Rectangle(left, left + 1, bottom, bottom + 1);
            rect.FillStyle.Color = Colors.Transparent;
            rect.LineStyle.Color = border.Color;
            rect.LineStyle.Width = 5;
            rect.LineStyle.Pattern = border.Dashed ? LinePattern.Dashed : LinePattern.Solid;
        }

        var caption = plot.Add.Text(tile.Caption, left + 0.5, bottom - 0.05);
        caption.LabelAlignment = Alignment.UpperCenter;
        caption.LabelFontSize = 13;
        caption.LabelFontColor = ChartStyle.Ink;
    }

    /// <summary>Makes an upscaled (nearest neighbour, so pixels stay visible) RGB bitmap of model-input pixels.</summary>
    private static SKBitmap ToBitmap(float[] pixels, PreprocessOptions options)
    {
        var (w, h) = (options.Width, options.Height);
        var bitmap = new SKBitmap(new SKImageInfo(w * Upscale, h * Upscale, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var plane = w * h;
        for (var y = 0; y < h * Upscale; y++)
        {
            for (var x = 0; x < w * Upscale; x++)
            {
                var i = (y / Upscale * w) + (x / Upscale);
                byte Channel(int c) => (byte)Math.Round(Math.Clamp(pixels[(options.Grayscale ? 0 : c) * plane + i], 0f, 1f) * 255);
                bitmap.SetPixel(x, y, new SKColor(Channel(0), Channel(1), Channel(2)));
            }
        }

        return bitmap;
    }
}
