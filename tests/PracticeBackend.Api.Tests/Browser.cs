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

    /// <summary>No serious or critical axe violation (axe runs as JavaScript, so the page must have it on).</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var scan = await page.RunAxe();
        Assert.Empty(scan.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{page.Url} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html).Take(3))})"));
    }
}
