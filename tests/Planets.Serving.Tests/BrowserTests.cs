using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace Planets.Serving.Tests;

[Collection(ServiceGroup.Name)]
public sealed class BrowserTests(ServiceFixture service)
{
    [ChromiumFact]
    public async Task A_person_uploads_an_image_and_sees_the_prediction_and_its_probabilities()
    {
        var image = service.SampleImages[4];
        var expected = await AnswerOfApiAsync(image);

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
    public async Task An_image_dropped_on_the_page_is_shown_and_predicted()
    {
        var image = service.SampleImages[4];
        var expected = await AnswerOfApiAsync(image);

        using var browser = ChromiumFactAttribute.StartBrowser();
        browser.Navigate().GoToUrl(service.BaseAddress);
        // What a drop delivers: the file in the event's DataTransfer.
        browser.ExecuteScript("""
            const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
            const files = new DataTransfer();
            files.items.add(new File([bytes], "dropped.jpg", { type: "image/jpeg" }));
            document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: files, bubbles: true, cancelable: true }));
            """, Convert.ToBase64String(await File.ReadAllBytesAsync(image)));
        new WebDriverWait(browser, TimeSpan.FromSeconds(15)).Until(b => b.FindElement(By.Id("prediction")).Text.Length > 0);

        Assert.Equal(expected.Prediction, browser.FindElement(By.Id("prediction")).Text);
        Assert.True(browser.FindElement(By.Id("preview")).Displayed, "the dropped image is not shown");
        Assert.Equal(service.Classifier.Labels.Length, browser.FindElements(By.CssSelector("#probabilities tbody tr")).Count);
    }

    [ChromiumFact]
    public void The_drop_zone_is_reached_with_the_keyboard_and_says_how_to_choose_a_file()
    {
        using var browser = ChromiumFactAttribute.StartBrowser();
        browser.Navigate().GoToUrl(service.BaseAddress);

        new OpenQA.Selenium.Interactions.Actions(browser).SendKeys(Keys.Tab).Perform();

        var focused = browser.SwitchTo().ActiveElement();
        Assert.Equal("drop", focused.GetAttribute("id"));
        Assert.Contains("press Enter to choose one", focused.Text, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public void The_api_page_works_offline_and_offers_nothing_but_this_api()
    {
        using var browser = ChromiumFactAttribute.StartBrowser(offline: true);
        browser.Navigate().GoToUrl(new Uri(service.BaseAddress, "/docs/"));
        new WebDriverWait(browser, TimeSpan.FromSeconds(20)).Until(b => b.PageSource.Contains("Classify one image", StringComparison.Ordinal));

        var text = browser.FindElement(By.TagName("body")).Text;
        foreach (var offer in new[] { "Ask AI", "Generate SDK", "Deploy", "MCP", "Agent" })
        {
            Assert.DoesNotContain(offer, text, StringComparison.OrdinalIgnoreCase);
        }

        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message).ToList();
        Assert.Empty(errors);
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

    // What the API answers for the image: the page must show the same.
    private async Task<Answer> AnswerOfApiAsync(string image)
    {
        using var api = await Http.PostImageAsync(service.Client, await File.ReadAllBytesAsync(image), "image/jpeg");
        return await Http.ReadAnswerAsync(api);
    }
}
