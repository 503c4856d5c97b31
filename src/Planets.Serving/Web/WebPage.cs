namespace Planets.Serving.Web;

/// <summary>The upload page: plain HTML and JavaScript embedded in the assembly.</summary>
internal static class WebPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(WebPage).Assembly.GetManifestResourceStream("Planets.Serving.index.html")
            ?? throw new InvalidOperationException("the upload page is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Serves the page.</summary>
    public static IResult Index() => Results.Content(Html.Value, "text/html; charset=utf-8");
}
