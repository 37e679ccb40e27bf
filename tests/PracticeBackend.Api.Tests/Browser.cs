using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace PracticeBackend.Api.Tests;

/// <summary>Debian's Chromium, driven by Playwright, and the accessibility scan every page must pass.</summary>
internal static class Browser
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });

    /// <summary>
    /// When <c>SCREENSHOTS_DIR</c> is set (tools/screenshots.sh), saves the page at desktop (1280) and phone (390)
    /// widths as <c>{name}-1280.png</c> and <c>{name}-390.png</c>; otherwise does nothing.
    /// </summary>
    public static async Task ShotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SCREENSHOTS_DIR") is not { Length: > 0 } directory)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        var before = page.ViewportSize;
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, width == 390 ? 844 : 800);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"{name}-{width}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        }

        if (before is not null)
        {
            await page.SetViewportSizeAsync(before.Width, before.Height);
        }
    }

    /// <summary>No serious or critical axe violation (axe runs as JavaScript, so the page must have it on).</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var scan = await page.RunAxe();
        Assert.Empty(scan.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{page.Url} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html).Take(3))})"));
    }
}

/// <summary>A test class with one Chromium of its own for all its tests.</summary>
public abstract class InBrowser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    protected IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Chromium = await Browser.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null)
        {
            await Chromium.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
