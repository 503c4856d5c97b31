using Planets.Ml.Common;
using SkiaSharp;

namespace Planets.Ml.Synthetic;

/// <summary>
/// Paints recognisable, seeded stand-ins for the 11 classes of the planets dataset, so the pipeline
/// can run end to end on a fresh clone without the real photos.
/// </summary>
internal static class PlanetPainter
{
    /// <summary>Side length of a generated image.</summary>
    public const int Size = 128;

    /// <summary>The class names of the reference dataset, in label order.</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["Earth", "Jupiter", "MakeMake", "Mars", "Mercury", "Moon", "Neptune", "Pluto", "Saturn", "Uranus", "Venus"];

    /// <summary>Paints image <paramref name="index"/> of class <paramref name="className"/>.</summary>
    public static SKBitmap Paint(string className, int index)
    {
        var classIndex = IndexOf(className);
        var rng = new SeededRandom(0x504C414E45545300UL + ((ulong)classIndex << 32) + (ulong)index);
        var bitmap = new SKBitmap(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Black);
            DrawStars(canvas, rng);
            var body = new Body(
                (float)rng.NextDouble(44, 84),
                (float)rng.NextDouble(44, 84),
                (float)rng.NextDouble(26, 40),
                (float)rng.NextDouble(-25, 25));
            Painters[classIndex](canvas, body, rng);
        }

        AddNoise(bitmap, rng);
        return bitmap;
    }

    /// <summary>Encodes a painted image as JPEG with a fixed quality, so the bytes are reproducible.</summary>
    public static byte[] EncodeJpeg(SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    private static int IndexOf(string className)
    {
        for (var i = 0; i < Classes.Count; i++)
        {
            if (Classes[i] == className)
            {
                return i;
            }
        }

        throw new ArgumentException($"unknown class '{className}'", nameof(className));
    }

    private static readonly Action<SKCanvas, Body, SeededRandom>[] Painters =
    [
        PaintEarth, PaintJupiter, PaintMakeMake, PaintMars, PaintMercury, PaintMoon,
        PaintNeptune, PaintPluto, PaintSaturn, PaintUranus, PaintVenus,
    ];

    private static void PaintEarth(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        canvas.Clear(new SKColor(30, 80, 190));
        Blobs(canvas, body, rng, 5, new SKColor(50, 140, 60), 0.25f, 0.5f);
        Blobs(canvas, body, rng, 6, new SKColor(245, 245, 250, 200), 0.08f, 0.2f);
    }

    private static void PaintJupiter(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        SKColor[] bands = [new(220, 190, 150), new(180, 120, 80), new(235, 215, 180), new(160, 100, 70)];
        Bands(canvas, body, rng, bands, 9);
        using var spot = Fill(new SKColor(190, 70, 50));
        canvas.DrawOval(body.X + (body.R * 0.3f), body.Y + (body.R * 0.35f), body.R * 0.25f, body.R * 0.14f, spot);
    }

    private static void PaintMakeMake(SKCanvas canvas, Body body, SeededRandom rng)
    {
        var small = body with { R = body.R * 0.6f };
        using var clip = small.Clip(canvas);
        canvas.Clear(new SKColor(150, 85, 60));
        Speckles(canvas, small, rng, 60, new SKColor(200, 140, 110), 1.5f);
    }

    private static void PaintMars(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        canvas.Clear(new SKColor(200, 90, 45));
        Blobs(canvas, body, rng, 4, new SKColor(120, 50, 30), 0.15f, 0.35f);
        using var cap = Fill(new SKColor(250, 250, 250));
        canvas.DrawOval(body.X, body.Y - body.R, body.R * 0.45f, body.R * 0.2f, cap);
    }

    private static void PaintMercury(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        canvas.Clear(new SKColor(135, 125, 120));
        Craters(canvas, body, rng, 25, new SKColor(95, 88, 85));
    }

    private static void PaintMoon(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        canvas.Clear(new SKColor(200, 200, 195));
        Blobs(canvas, body, rng, 4, new SKColor(120, 120, 120), 0.15f, 0.3f);
        Craters(canvas, body, rng, 8, new SKColor(160, 160, 155));
    }

    private static void PaintNeptune(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        SKColor[] bands = [new(40, 70, 200), new(55, 95, 220)];
        Bands(canvas, body, rng, bands, 5);
        using var spot = Fill(new SKColor(20, 30, 110));
        canvas.DrawOval(body.X - (body.R * 0.3f), body.Y, body.R * 0.2f, body.R * 0.12f, spot);
    }

    private static void PaintPluto(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        canvas.Clear(new SKColor(170, 140, 110));
        using var heart = Fill(new SKColor(240, 225, 205));
        canvas.DrawCircle(body.X - (body.R * 0.18f), body.Y + (body.R * 0.1f), body.R * 0.25f, heart);
        canvas.DrawCircle(body.X + (body.R * 0.18f), body.Y + (body.R * 0.1f), body.R * 0.25f, heart);
        Speckles(canvas, body, rng, 30, new SKColor(110, 80, 60), 2f);
    }

    private static void PaintSaturn(SKCanvas canvas, Body body, SeededRandom rng)
    {
        var planet = body with { R = body.R * 0.7f };
        using (planet.Clip(canvas))
        {
            Bands(canvas, planet, rng, [new(230, 200, 140), new(210, 180, 120)], 6);
        }

        Ring(canvas, body, new SKColor(210, 190, 150), 1.6f, 0.35f, 5f);
    }

    private static void PaintUranus(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using (body.Clip(canvas))
        {
            Bands(canvas, body, rng, [new(150, 215, 225), new(140, 205, 218)], 4);
        }

        Ring(canvas, body with { Tilt = body.Tilt + 80 }, new SKColor(200, 230, 235, 150), 1.4f, 0.25f, 1.5f);
    }

    private static void PaintVenus(SKCanvas canvas, Body body, SeededRandom rng)
    {
        using var clip = body.Clip(canvas);
        canvas.Clear(new SKColor(230, 210, 150));
        Blobs(canvas, body, rng, 7, new SKColor(250, 240, 200, 150), 0.2f, 0.45f);
    }

    private static void DrawStars(SKCanvas canvas, SeededRandom rng)
    {
        using var paint = Fill(SKColors.White);
        for (var i = rng.NextInt(5, 25); i > 0; i--)
        {
            paint.Color = new SKColor(255, 255, 255, (byte)rng.NextInt(80, 256));
            canvas.DrawCircle((float)rng.NextDouble(0, Size), (float)rng.NextDouble(0, Size), (float)rng.NextDouble(0.4, 1.1), paint);
        }
    }

    private static void Bands(SKCanvas canvas, Body body, SeededRandom rng, SKColor[] colors, int count)
    {
        canvas.Save();
        canvas.RotateDegrees(body.Tilt * 0.3f, body.X, body.Y);
        var height = 2 * body.R / count;
        using var paint = Fill(colors[0]);
        for (var i = 0; i < count; i++)
        {
            paint.Color = colors[(i + rng.NextInt(2)) % colors.Length];
            canvas.DrawRect(body.X - body.R, body.Y - body.R + (i * height), 2 * body.R, height + 1, paint);
        }

        canvas.Restore();
    }

    private static void Blobs(SKCanvas canvas, Body body, SeededRandom rng, int count, SKColor color, float min, float max)
    {
        using var paint = Fill(color);
        for (var i = 0; i < count; i++)
        {
            var x = body.X + (body.R * (float)rng.NextDouble(-0.8, 0.8));
            var y = body.Y + (body.R * (float)rng.NextDouble(-0.8, 0.8));
            canvas.DrawOval(x, y, body.R * (float)rng.NextDouble(min, max), body.R * (float)rng.NextDouble(min, max) * 0.7f, paint);
        }
    }

    private static void Craters(SKCanvas canvas, Body body, SeededRandom rng, int count, SKColor color)
    {
        using var paint = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1.5f };
        for (var i = 0; i < count; i++)
        {
            var x = body.X + (body.R * (float)rng.NextDouble(-0.9, 0.9));
            var y = body.Y + (body.R * (float)rng.NextDouble(-0.9, 0.9));
            canvas.DrawCircle(x, y, body.R * (float)rng.NextDouble(0.04, 0.15), paint);
        }
    }

    private static void Speckles(SKCanvas canvas, Body body, SeededRandom rng, int count, SKColor color, float radius)
    {
        using var paint = Fill(color);
        for (var i = 0; i < count; i++)
        {
            var x = body.X + (body.R * (float)rng.NextDouble(-1, 1));
            var y = body.Y + (body.R * (float)rng.NextDouble(-1, 1));
            canvas.DrawCircle(x, y, radius, paint);
        }
    }

    private static void Ring(SKCanvas canvas, Body body, SKColor color, float width, float flatness, float stroke)
    {
        canvas.Save();
        canvas.RotateDegrees(body.Tilt, body.X, body.Y);
        using var paint = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = stroke };
        canvas.DrawOval(body.X, body.Y, body.R * width, body.R * width * flatness, paint);
        canvas.Restore();
    }

    private static void AddNoise(SKBitmap bitmap, SeededRandom rng)
    {
        using var pixmap = bitmap.PeekPixels();
        var writable = pixmap.GetPixelSpan<byte>();
        for (var i = 0; i < writable.Length; i += 4)
        {
            var delta = rng.NextInt(-6, 7);
            for (var c = 0; c < 3; c++)
            {
                writable[i + c] = (byte)Math.Clamp(writable[i + c] + delta, 0, 255);
            }
        }
    }

    private static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };

    /// <summary>Where a body sits: centre, radius and tilt in degrees.</summary>
    private sealed record Body(float X, float Y, float R, float Tilt)
    {
        public ClipScope Clip(SKCanvas canvas)
        {
            canvas.Save();
            using var path = new SKPath();
            path.AddCircle(X, Y, R);
            canvas.ClipPath(path, SKClipOperation.Intersect, antialias: true);
            return new ClipScope(canvas);
        }
    }

    /// <summary>Restores the canvas when the clipped drawing ends.</summary>
    private readonly struct ClipScope(SKCanvas canvas) : IDisposable
    {
        public void Dispose() => canvas.Restore();
    }
}
