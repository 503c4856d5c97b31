using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Planets.Serving.Tests;

/// <summary>A fact that runs only where Debian's chromium and its driver are installed (CI installs them).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Browser) || !File.Exists(Driver))
        {
            Skip = $"needs {Browser} and {Driver} (apt-get install -y chromium chromium-driver)";
        }
    }

    /// <summary>Headless Chromium driven through its driver.</summary>
    public static ChromeDriver StartBrowser()
    {
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking");
        var driverService = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        driverService.SuppressInitialDiagnosticInformation = true;
        driverService.HideCommandPromptWindow = true;
        return new ChromeDriver(driverService, options, TimeSpan.FromSeconds(60));
    }
}

[Collection(ServiceGroup.Name)]
public sealed class BrowserTests(ServiceFixture service)
{
    [ChromiumFact]
    public async Task A_person_uploads_an_image_and_sees_the_prediction_and_its_probabilities()
    {
        var image = service.SampleImages[4];
        using var api = await Http.PostImageAsync(service.Client, await File.ReadAllBytesAsync(image), "image/jpeg");
        var expected = await Http.ReadAnswerAsync(api);

        using var browser = ChromiumFactAttribute.StartBrowser();
        browser.Navigate().GoToUrl(service.BaseAddress);
        Assert.Equal("Planets classifier", browser.Title);
        browser.FindElement(By.Id("file")).SendKeys(image);
        browser.FindElement(By.Id("submit")).Click();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(15));
        wait.Until(b => b.FindElement(By.Id("prediction")).Text.Length > 0);

        Assert.Equal(expected.Prediction, browser.FindElement(By.Id("prediction")).Text);
        var rows = browser.FindElements(By.CssSelector("#probabilities tbody tr"));
        Assert.Equal(service.Classifier.Labels.Length, rows.Count);
        Assert.Equal(expected.Prediction, rows[0].GetAttribute("data-label"));
        var best = expected.Probabilities.Single(p => p.Key == expected.Prediction).Value;
        Assert.Equal($"{best * 100:F1} %", rows[0].FindElement(By.CssSelector("td.probability")).Text);
        Assert.Empty(browser.FindElement(By.Id("error")).Text);
    }

    [ChromiumFact]
    public async Task A_file_that_is_no_image_shows_the_services_explanation()
    {
        var notes = Path.Combine(service.Dir.Path, "notes.jpg");
        await File.WriteAllTextAsync(notes, "not an image");

        using var browser = ChromiumFactAttribute.StartBrowser();
        browser.Navigate().GoToUrl(service.BaseAddress);
        browser.FindElement(By.Id("file")).SendKeys(notes);
        browser.FindElement(By.Id("submit")).Click();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(15));
        wait.Until(b => b.FindElement(By.Id("error")).Text.Length > 0);

        Assert.Contains("cannot be decoded", browser.FindElement(By.Id("error")).Text, StringComparison.Ordinal);
        Assert.Empty(browser.FindElement(By.Id("prediction")).Text);
    }

    [ChromiumFact]
    public void The_interactive_api_page_renders_the_prediction_endpoints()
    {
        using var browser = ChromiumFactAttribute.StartBrowser();
        browser.Navigate().GoToUrl(new Uri(service.BaseAddress, "/docs/"));
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(20));
        wait.Until(b => b.PageSource.Contains("Classify one image", StringComparison.Ordinal));
        Assert.Contains("Classify several images", browser.PageSource, StringComparison.Ordinal);
    }
}
