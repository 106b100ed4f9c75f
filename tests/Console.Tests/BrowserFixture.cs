using Microsoft.Playwright;

namespace GateConsole.Tests;

/// <summary>
/// One headless Debian chromium for the test class, driven by Playwright (never <c>playwright install</c>:
/// the browser is the system's). Each page gets its own browser context: a fresh profile with its own
/// cookies and session storage, as two people on two machines would have.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium; <c>GATE_CHROMIUM</c> may name another build of it.</summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("GATE_CHROMIUM") ?? "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser did not start");

    /// <summary><c>artifacts/screenshots/</c> at the repository root.</summary>
    public static string ScreenshotDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Approvals.sln")))
            {
                dir = dir.Parent;
            }

            var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"chromium is missing ({ChromiumPath} does not exist): install it with `apt-get install -y chromium` (scripts/test installs it); the browser tests use the system's chromium, never a downloaded one");
        }

        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        }).WaitAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>A page on <paramref name="baseAddress"/> in a fresh context; script errors land in <paramref name="errors"/>.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, List<string> errors)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            ColorScheme = ColorScheme.Light,
            Locale = "en-GB",
            TimezoneId = "UTC",
        }).WaitAsync(TimeSpan.FromSeconds(30));
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync().WaitAsync(TimeSpan.FromSeconds(30));
        page.PageError += (_, message) => { lock (errors) { errors.Add("page error: " + message); } };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("401", StringComparison.Ordinal))
            {
                lock (errors)
                {
                    errors.Add("console error: " + message.Text);
                }
            }
        };
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _playwright?.Dispose();
    }
}
