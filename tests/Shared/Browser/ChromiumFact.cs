using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Pipeline.Testing;

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

    /// <summary>Headless Chromium driven through its driver; <paramref name="offline"/>, no host but this machine resolves.</summary>
    public static ChromeDriver StartBrowser(bool offline = false)
    {
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking");
        if (offline)
        {
            options.AddArgument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost");
        }

        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var driverService = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        driverService.SuppressInitialDiagnosticInformation = true;
        driverService.HideCommandPromptWindow = true;
        return new ChromeDriver(driverService, options, TimeSpan.FromSeconds(60));
    }
}
