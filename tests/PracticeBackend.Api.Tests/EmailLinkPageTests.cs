using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The pages behind the links in emails, in a real browser (Debian's Chromium): they work without
/// JavaScript, pass an accessibility scan, the one button does what it says, and every look comes from
/// the one stylesheet (no inline style or script).
/// </summary>
public sealed class EmailLinkPageTests(FollowUpApp app) : InBrowser, IClassFixture<FollowUpApp>
{
    [Fact]
    public async Task PausePage_IsAccessible_AndItsButtonPausesWithoutJavaScript()
    {
        var email = await SubmitAndDeliverAcknowledgementAsync();
        await using var context = await Chromium.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();

        await page.GotoAsync(app.Link(app.MailTo(email)[0], "Pause these emails").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pause emails for a while?" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause for 90 days" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Paused" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume emails now" })).ToBeVisibleAsync();
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
        var page = await Chromium.NewPageAsync();

        await page.GotoAsync(app.Link(app.MailTo(email)[0], label).ToString());
        var scan = await page.RunAxe();

        Assert.Empty(scan.Violations.Select(v => $"{v.Id}: {v.Help}"));
        Assert.Equal(1, await page.GetByRole(AriaRole.Button).CountAsync());
        await page.CloseAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task StopPage_ConfirmsTheStop_AndOffersTheFormForWritingAgain_WithoutJavaScript()
    {
        var email = await SubmitAndDeliverAcknowledgementAsync();
        await using var context = await Chromium.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();

        await page.GotoAsync(app.Link(app.MailTo(email)[0], "Stop these emails").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop these emails" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You won't get more emails from us" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "the form is here" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Interested in exploring this in therapy?" })).ToBeVisibleAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task EveryKindOfLinkPage_HasNoSeriousOrCriticalAccessibilityViolation()
    {
        var links = await EveryKindOfLinkPageAsync();
        var page = await Chromium.NewPageAsync();

        foreach (var (link, heading, shot) in new[]
        {
            (links.Stop, "Stop emails from us?", "link-stop"),
            (links.Pace, "How often may we check in?", "link-pace"),
            (links.Offer, "Some times that could work", "link-offer"),
            (links.Session, "Your session", "link-session"),
        })
        {
            await page.GotoAsync(link.ToString());
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync();
            await Browser.AssertAccessibleAsync(page);
            await Browser.ShotAsync(page, shot);
        }

        await page.CloseAsync();
    }

    [Fact(Timeout = 120_000)]
    public async Task EveryKindOfLinkPage_IsServedWithNoInlineStyleOrScript()
    {
        var links = await EveryKindOfLinkPageAsync();
        using var person = app.CreateClient();

        foreach (var link in new[] { links.Stop, links.Pause, links.Pace, links.Reminders, links.Offer, links.Session })
        {
            var response = await person.GetAsync(link);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<link rel=\"stylesheet\" href=\"/css/site.css\">", html, StringComparison.Ordinal);
            Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        }
    }

    private sealed record LinkPages(Uri Stop, Uri Pause, Uri Pace, Uri Reminders, Uri Offer, Uri Session);

    /// <summary>One person with a link to every kind of page: their acknowledgement's controls, an open offer of times, a booked session.</summary>
    private async Task<LinkPages> EveryKindOfLinkPageAsync()
    {
        var email = await SubmitAndDeliverAcknowledgementAsync();
        var acknowledgement = app.MailTo(email)[0];
        var intake = (await app.IntakesAsync([email]))[0];
        using var admin = await app.SignInAsAdminAsync();
        var profile = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName = "Dr. Ines Halvorsen", specialties = new[] { "attachment" }, formats = new[] { "video" }, acceptingNewClients = true, timeZone = "America/Chicago",
        });
        Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
        var therapistId = (await profile.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/staff/intake/{intake}/assign", new { therapistId })).StatusCode);

        var today = new DateTimeOffset(app.Clock.GetUtcNow().Date, TimeSpan.Zero);
        var offered = await admin.PostAsJsonAsync($"/api/staff/intake/{intake}/offers", new
        {
            therapistId, format = "video", starts = new[] { Iso(today.AddDays(2).AddHours(16)), Iso(today.AddDays(3).AddHours(16)) },
        });
        Assert.Equal(HttpStatusCode.Created, offered.StatusCode);
        var clientId = (await app.StaffDetailAsync(intake)).GetProperty("clientId").GetGuid();
        var booked = await admin.PostAsJsonAsync("/api/staff/appointments", new { therapistId, clientId, start = Iso(today.AddDays(8).AddHours(16)), format = "video" });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        await app.DeliverDueAsync();

        var mail = app.MailTo(email);
        var bookingNote = Assert.Single(mail, m => m.Subject == "A session is booked for you");
        return new LinkPages(
            Stop: app.Link(acknowledgement, "Stop these emails"),
            Pause: app.Link(acknowledgement, "Pause these emails"),
            Pace: app.Link(acknowledgement, "Change how often we write"),
            Reminders: app.Link(bookingNote, "Turn off session reminders"),
            Offer: app.Link(Assert.Single(mail, m => m.Subject == "Some times that could work"), "See the times"),
            Session: app.Link(bookingNote, "See, change or cancel this session"));
    }

    private static string Iso(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(-6)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

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
}
