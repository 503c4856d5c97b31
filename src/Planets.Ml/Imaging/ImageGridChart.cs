using Planets.Models.Preprocessing;
using ScottPlot;
using SkiaSharp;

namespace Planets.Ml.Imaging;

/// <summary>One image of a grid: channel-first pixels in [0, 1], a caption and an optional border.</summary>
/// <param name="Pixels">C x H x W pixels.</param>
/// <param name="Options">Shape of <paramref name="Pixels"/>.</param>
/// <param name="Caption">Text under the image (may hold a line break).</param>
/// <param name="Border">Border colour, or null for none.</param>
internal sealed record GridTile(float[] Pixels, PreprocessOptions Options, string Caption, Color? Border);

/// <summary>Renders captioned images in a grid as a ScottPlot figure (preview and prediction preview).</summary>
internal static class ImageGridChart
{
    private const int Upscale = 4;
    private const double TileHeight = 1.65;
    private const double TileWidth = 1.25;
    private const double PixelsPerUnit = 120;
    private const int TitleHeight = 40;

    /// <summary>Saves <paramref name="tiles"/> as a PNG grid with <paramref name="columns"/> columns.</summary>
    public static void Save(string path, string title, IReadOnlyList<GridTile> tiles, int columns)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ChartFonts.EnsureRegistered();
        var plot = new Plot();
        for (var i = 0; i < tiles.Count; i++)
        {
            AddTile(plot, tiles[i], i % columns * TileWidth, -(i / columns) * TileHeight);
        }

        var rows = Math.Max(1, (tiles.Count + columns - 1) / columns);
        var (left, right) = (-0.15, (columns * TileWidth) - 0.1);
        var (bottom, top) = (-((rows - 1) * TileHeight) - 0.6, 1.1);
        plot.Axes.Frameless();
        plot.Axes.Title.IsVisible = true;
        plot.Title(title);
        plot.HideGrid();
        plot.Axes.SetLimits(left, right, bottom, top);
        // Same pixels per unit on both axes, so the images stay square.
        plot.SavePng(path, (int)((right - left) * PixelsPerUnit), (int)((top - bottom) * PixelsPerUnit) + TitleHeight);
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
            rect.LineStyle.Color = border;
            rect.LineStyle.Width = 5;
        }

        var caption = plot.Add.Text(tile.Caption, left + 0.5, bottom - 0.05);
        caption.LabelAlignment = Alignment.UpperCenter;
        caption.LabelFontSize = 13;
        caption.LabelFontColor = tile.Border ?? Colors.Black;
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
