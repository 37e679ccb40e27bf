using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The whole path in Debian's Chromium, with the app's clock moved and the real SMTP server read: a person
/// writes through the form (with JavaScript, so their zone comes from the browser); staff sign in, set the
/// therapist's week, find the request in the queue, assign it and offer three times from the slot picker; the
/// person opens the emailed link and picks one; staff see it on the week calendar and move it; the person
/// gets the new time and stops emails from a link. Every page on the way passes the accessibility scan.
/// </summary>
public sealed class DashboardBrowserTests(FollowUpApp app) : InBrowser, IClassFixture<FollowUpApp>
{
    [Fact(Timeout = 300_000)]
    public async Task FromTheFormToABookedSessionMoved_AndEmailsStoppedByLink()
    {
        var person = $"sam.rivera.{Guid.NewGuid():N}@example.org";
        await using var personContext = await Chromium.NewContextAsync(new BrowserNewContextOptions { TimezoneId = "Europe/London" });
        var personPage = await personContext.NewPageAsync();
        await personPage.GotoAsync(Url("/intake"));
        await Browser.ShotAsync(personPage, "intake");
        await personPage.Locator("#name").FillAsync("Sam Rivera");
        await personPage.Locator("#email").FillAsync(person);
        await personPage.Locator("#message").FillAsync("I keep people at a distance and would like to understand why.");
        await personPage.Locator("#consent").CheckAsync();
        await personPage.Locator("#send").ClickAsync();
        await Assertions.Expect(personPage.GetByRole(AriaRole.Heading, new() { Name = "Thank you for writing" })).ToBeVisibleAsync();
        await Browser.ShotAsync(personPage, "intake-thank-you");
        await app.DeliverDueAsync();
        var acknowledgement = Assert.Single(app.MailTo(person));

        var therapistId = await TherapistAsync();

        await using var staffContext = await Chromium.NewContextAsync(new BrowserNewContextOptions { TimezoneId = "America/Chicago" });
        var staff = await staffContext.NewPageAsync();
        await staff.GotoAsync(Url("/dashboard"));
        await Assertions.Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(staff);
        await Browser.ShotAsync(staff, "dashboard-sign-in");
        await staff.Locator("#email").FillAsync(FollowUpApp.AdminEmail);
        await staff.Locator("#password").FillAsync("not the password");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Alert)).ToContainTextAsync("was not accepted");
        await staff.Locator("#email").FillAsync(FollowUpApp.AdminEmail);
        await staff.Locator("#password").FillAsync(FollowUpApp.AdminPassword);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "Intake queue" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(staff);

        // The therapist's week: Monday to Friday, nine to five on their own clock.
        await staff.GotoAsync(Url($"/dashboard/availability?therapist={therapistId}"));
        foreach (var day in new[] { "monday", "tuesday", "wednesday", "thursday", "friday" })
        {
            await staff.Locator($"#day-{day}").FillAsync("09:00-17:00");
        }

        await staff.Locator("#day-saturday").FillAsync("nine to five");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Save availability" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Alert)).ToContainTextAsync("Saturday: write ranges like 09:00-12:00");
        await Assertions.Expect(staff.Locator("#day-monday")).ToHaveValueAsync("09:00-17:00");
        await staff.Locator("#day-saturday").FillAsync("");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Save availability" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Status)).ToHaveTextAsync("Availability saved; open times follow it from now on.");
        await Browser.ShotAsync(staff, "dashboard-availability");
        await Browser.AssertAccessibleAsync(staff);

        // The queue shows the request without anything of the person; opening it shows their words.
        await staff.GotoAsync(Url("/dashboard"));
        var row = staff.GetByRole(AriaRole.Link, new() { NameRegex = new("^Request of") });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        Assert.DoesNotContain("Sam", await staff.ContentAsync(), StringComparison.Ordinal);
        await Browser.ShotAsync(staff, "dashboard-queue");
        await row.ClickAsync();
        await Assertions.Expect(staff.GetByText("I keep people at a distance")).ToBeVisibleAsync();
        await Assertions.Expect(staff.GetByText("Europe/London")).ToBeVisibleAsync();
        await Browser.ShotAsync(staff, "dashboard-request");
        await Assertions.Expect(staff.GetByRole(AriaRole.Cell, new() { Name = "Acknowledgement" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(staff);
        await staff.Locator("#therapistId").SelectOptionAsync(therapistId.ToString());
        await staff.GetByRole(AriaRole.Button, new() { Name = "Assign" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Status)).ToHaveTextAsync("Assigned.");

        // Three times from the slot picker.
        await staff.GetByRole(AriaRole.Link, new() { Name = "Offer times" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "Offer times" })).ToBeVisibleAsync();
        await Browser.ShotAsync(staff, "dashboard-offer-times");
        await Browser.AssertAccessibleAsync(staff);
        var slots = staff.Locator("input[name='starts']");
        for (var i = 0; i < 3; i++)
        {
            await slots.Nth(i * 2).CheckAsync();
        }

        await staff.GetByRole(AriaRole.Button, new() { Name = "Offer these times" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Status)).ToContainTextAsync("3 times are held");

        // The person picks one from the emailed link.
        await app.DeliverDueAsync();
        var offer = Assert.Single(app.MailTo(person), m => m.Subject == "Some times that could work");
        await personPage.GotoAsync(app.Link(offer, "See the times").ToString());
        await Assertions.Expect(personPage.GetByRole(AriaRole.Heading, new() { Name = "Some times that could work" })).ToBeVisibleAsync();
        await Browser.AssertAccessibleAsync(personPage);
        await personPage.Locator("form:has(input[name='action'][value='pick']) button").First.ClickAsync();
        await Assertions.Expect(personPage.GetByRole(AriaRole.Heading, new() { Name = "Your session is confirmed" })).ToBeVisibleAsync();
        await Browser.ShotAsync(personPage, "link-offer-picked");
        await app.DeliverDueAsync();
        Assert.Single(app.MailTo(person), m => m.Subject == "Your session is confirmed");

        // On the week calendar, with the person's initials only; moved to another open time.
        await staff.GotoAsync(Url($"/dashboard/calendar?therapist={therapistId}"));
        var session = staff.Locator(".session a");
        await Assertions.Expect(session).ToHaveCountAsync(1);
        await Assertions.Expect(session).ToContainTextAsync("S. R.");
        await Browser.ShotAsync(staff, "dashboard-calendar");
        await Browser.AssertAccessibleAsync(staff);
        await session.ClickAsync();
        await Browser.ShotAsync(staff, "dashboard-session");
        await Browser.AssertAccessibleAsync(staff);
        await staff.Locator("input[name='start']").Nth(3).CheckAsync();
        await staff.GetByRole(AriaRole.Button, new() { Name = "Move the session" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Status)).ToContainTextAsync("Moved to");
        await app.DeliverDueAsync();
        Assert.Single(app.MailTo(person), m => m.Subject == "Your session has a new time");

        // The person stops emails from the first email's link; the request's page says so.
        await personPage.GotoAsync(app.Link(acknowledgement, "Stop these emails").ToString());
        await personPage.GetByRole(AriaRole.Button, new() { Name = "Stop these emails" }).ClickAsync();
        await Assertions.Expect(personPage.GetByRole(AriaRole.Heading, new() { Name = "You won't get more emails from us" })).ToBeVisibleAsync();
        await staff.GotoAsync(Url("/dashboard?status=booked"));
        await staff.GetByRole(AriaRole.Link, new() { NameRegex = new("^Request of") }).ClickAsync();
        await Assertions.Expect(staff.Locator(".facts").First).ToContainTextAsync("Stopped");

        await staff.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(staff.GetByRole(AriaRole.Status)).ToHaveTextAsync("You're signed out.");
        await staff.GotoAsync(Url("/dashboard"));
        await Assertions.Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    private string Url(string path) => new Uri(app.ClientOptions.BaseAddress, path).ToString();

    private async Task<Guid> TherapistAsync()
    {
        using var admin = await app.SignInAsAdminAsync();
        var profile = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName = "Dr. Ines Halvorsen", specialties = new[] { "attachment" }, formats = new[] { "video", "in-person" }, acceptingNewClients = true,
            timeZone = "America/Chicago", videoLink = "https://video.example/ines",
        });
        Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
        return (await profile.JsonAsync()).GetProperty("id").GetGuid();
    }
}
