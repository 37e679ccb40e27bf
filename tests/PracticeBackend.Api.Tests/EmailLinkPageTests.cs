using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The pages behind the links in emails, in a real browser (Debian's Chromium): they work without
/// JavaScript, pass an accessibility scan, and the one button does what it says.
/// </summary>
public sealed class EmailLinkPageTests(FollowUpApp app) : IClassFixture<FollowUpApp>, IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    [Fact]
    public async Task PausePage_IsAccessible_AndItsButtonPausesWithoutJavaScript()
    {
        var email = await SubmitAndDeliverAcknowledgementAsync();
        await using var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();

        await page.GotoAsync(app.Link(app.MailTo(email)[0], "Pause these emails").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pause emails for a while?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause for 90 days" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Paused" })).ToBeVisibleAsync();
        await app.AdvanceAsync(TimeSpan.FromDays(60), TimeSpan.FromHours(12));
        Assert.Single(app.MailTo(email));
    }

    [Theory]
    [InlineData("Stop these emails")]
    [InlineData("Change how often we write")]
    [InlineData("Not now / no thanks")]
    [InlineData("Erase my data")]
    public async Task EveryLinkPage_PassesAnAccessibilityScan(string label)
    {
        var email = await SubmitAndDeliverAcknowledgementAsync();
        var page = await _browser!.NewPageAsync();

        await page.GotoAsync(app.Link(app.MailTo(email)[0], label).ToString());
        var scan = await page.RunAxe();

        Assert.Empty(scan.Violations.Select(v => $"{v.Id}: {v.Help}"));
        Assert.Equal(1, await page.GetByRole(AriaRole.Button).CountAsync());
        await page.CloseAsync();
    }

    private async Task<string> SubmitAndDeliverAcknowledgementAsync()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = $"browser.{Guid.NewGuid():N}@example.org";
        using var client = app.CreateClient();
        var response = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid(email)));
        response.EnsureSuccessStatusCode();
        await app.DeliverDueAsync();
        return email;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
