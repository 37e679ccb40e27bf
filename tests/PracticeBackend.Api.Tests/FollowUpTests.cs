using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PracticeBackend.Api.Email;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains.Data;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// DESIGN invariants 3, 4 and 5 end to end: real PostgreSQL, real SMTP over a socket, and time driven
/// through the app's clock. The recipient lives in Chicago (UTC−6 in winter): 09:00 there is 15:00Z.
/// </summary>
public sealed class FollowUpTests(FollowUpApp app) : IClassFixture<FollowUpApp>
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task Gentle_AcknowledgesAtOnce_ChecksInOnDay7At9_ClosesOnDay21_ThenSilenceFor90Days()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");

        await app.DeliverDueAsync();
        var ack = Assert.Single(app.MailTo(email));
        Assert.Contains("No need to reply", ack.TextBody, StringComparison.Ordinal);
        Assert.Contains("988", ack.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("arm's length", ack.TextBody, StringComparison.Ordinal);
        Assert.Matches("^outbox-[0-9a-f]{32}@practice.test$", ack.MessageId);

        // Day 7, one minute before 09:00 in Chicago: nothing yet. At 09:00: the check-in.
        app.Clock.Set(start + 7 * Day - TimeSpan.FromMinutes(1));
        await app.DeliverDueAsync();
        Assert.Single(app.MailTo(email));
        app.Clock.Set(start + 7 * Day);
        await app.DeliverDueAsync();
        var checkIn = app.MailTo(email)[1];
        Assert.Equal(start + 7 * Day, checkIn.Date);
        Assert.Equal("List-Unsubscribe=One-Click", checkIn.Headers["List-Unsubscribe-Post"]);
        Assert.Contains("No need to reply", checkIn.TextBody, StringComparison.Ordinal);

        app.Clock.Set(start + 21 * Day);
        await app.DeliverDueAsync();
        Assert.Equal(3, app.MailTo(email).Count);

        await app.AdvanceAsync(90 * Day, TimeSpan.FromHours(6));
        var all = app.MailTo(email);
        Assert.Equal(3, all.Count);
        Assert.Equal(3, all.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task OneClickStop_BetweenMessages_MeansNothingMoreIsSent_AndIsInTheConsentLedger()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        await app.AdvanceAsync(7 * Day, TimeSpan.FromHours(6));
        var checkIn = app.MailTo(email)[^1];

        using var mailProvider = new HttpClient();
        var stop = await mailProvider.PostAsync(app.UnsubscribeLink(checkIn),
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        await app.AdvanceAsync(90 * Day, TimeSpan.FromHours(6));
        Assert.Equal(2, app.MailTo(email).Count);
        Assert.Equal(1L, await app.ScalarAsync(
            "SELECT count(*) FROM consent_records WHERE client_id IN (SELECT client_id FROM intake_requests WHERE id = ANY(@intakes)) AND granted = false AND text_version = 'stop' AND source = 'email-link'",
            ("intakes", await app.IntakesAsync([email]))));
    }

    /// <summary>A mail client that posts the one-click stop with no body at all (RFC 8058 asks for a form; not all send one).</summary>
    [Fact]
    public async Task OneClickStopWithNoBody_StillStops()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        await app.AdvanceAsync(7 * Day, TimeSpan.FromHours(6));
        var checkIn = app.MailTo(email)[^1];

        using var mailClient = new HttpClient();
        var stop = await mailClient.PostAsync(app.UnsubscribeLink(checkIn), content: null);

        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        await app.AdvanceAsync(90 * Day, TimeSpan.FromHours(6));
        Assert.Equal(2, app.MailTo(email).Count);
    }

    [Fact]
    public async Task OpeningTheStopLink_ShowsOneButton_AndChangesNothing()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        using var scanner = new HttpClient();

        var page = await scanner.GetAsync(app.Link(app.MailTo(email)[0], "Stop these emails"));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(1, Regex.Count(html, "<button"));
        Assert.Matches("<form method=\"post\"[^>]*><button type=\"submit\">Stop these emails</button></form>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        await app.AdvanceAsync(8 * Day, TimeSpan.FromHours(6));
        Assert.Equal(2, app.MailTo(email).Count);
    }

    [Fact]
    public async Task Pause_HoldsEverythingUntilItEnds_ThenTheCheckInFollows()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        using var person = new HttpClient();

        var paused = await person.PostAsync(app.Link(app.MailTo(email)[0], "Pause these emails"),
            new FormUrlEncodedContent([new("days", "30")]));

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        await app.AdvanceAsync(29 * Day, TimeSpan.FromHours(6));
        Assert.Single(app.MailTo(email));
        await app.AdvanceAsync(4 * Day, TimeSpan.FromHours(1));
        var checkIn = Assert.Single(app.MailTo(email).Skip(1));
        Assert.True(checkIn.Date >= start + 30 * Day);
        Assert.Equal(1L, await app.ScalarAsync(
            "SELECT count(*) FROM consent_records WHERE client_id IN (SELECT client_id FROM intake_requests WHERE id = ANY(@intakes)) AND text_version = 'pause-30-days'",
            ("intakes", await app.IntakesAsync([email]))));
    }

    [Fact]
    public async Task SmtpDownForHours_EachDueMessageIsDeliveredExactlyOnceAfter()
    {
        app.MoveToNextMondayAfternoonUtc();
        var emails = new[] { await app.SubmitAsync("when-ready"), await app.SubmitAsync("when-ready"), await app.SubmitAsync("when-ready") };
        app.SmtpPort(FreePorts.Next());
        try
        {
            await app.AdvanceAsync(TimeSpan.FromHours(5), TimeSpan.FromMinutes(10));
            Assert.All(emails, e => Assert.Empty(app.MailTo(e)));
            Assert.True(await app.ScalarAsync(
                "SELECT min(attempts) FROM outbox_messages WHERE status = 'Planned' AND kind = 'Acknowledgement' AND intake_request_id = ANY(@intakes)",
                ("intakes", await app.IntakesAsync(emails))) >= 4);
        }
        finally
        {
            app.SmtpBack();
        }

        await app.AdvanceAsync(TimeSpan.FromHours(3), TimeSpan.FromMinutes(10));
        Assert.All(emails, e => Assert.Single(app.MailTo(e)));
    }

    [Fact]
    public async Task StopCommittedWhileTheSendIsQueued_TheSendDoesNotHappen()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        var stopLink = app.Link(app.MailTo(email)[0], "Stop these emails");
        app.Clock.Advance(7 * Day);
        var queued = await app.DueIdsAsync(email);
        Assert.Single(queued);

        using var person = new HttpClient();
        await person.PostAsync(stopLink, new FormUrlEncodedContent([]));
        using var scope = app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<OutboxSender>().SendAsync(queued[0], CancellationToken.None);

        Assert.Null(result);
        Assert.Single(app.MailTo(email));
        Assert.Equal("Cancelled", await app.StatusAsync(queued[0]));
    }

    [Fact]
    public async Task AStopThatLandsAfterPlanning_IsSeenUnderTheClaim_AndNothingIsSent()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        app.Clock.Advance(7 * Day);
        var queued = Assert.Single(await app.DueIdsAsync(email));

        // The stop commits without re-planning (as a stop racing the planner would): only the claim's re-check stands between it and a send.
        await app.ScalarAsync("UPDATE clients SET contact_status = 'Stopped' WHERE id = (SELECT client_id FROM intake_requests WHERE id = ANY(@intakes)) RETURNING 1",
            ("intakes", await app.IntakesAsync([email])));
        using var scope = app.Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<OutboxSender>().SendAsync(queued, CancellationToken.None);

        Assert.Null(result);
        Assert.Single(app.MailTo(email));
        Assert.Equal("Cancelled", await app.StatusAsync(queued));
    }

    [Fact]
    public async Task APauseLinkAfterStop_DoesNotReopenContact()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        var ack = app.MailTo(email)[0];
        using var person = new HttpClient();

        await person.PostAsync(app.Link(ack, "Stop these emails"), new FormUrlEncodedContent([]));
        await person.PostAsync(app.Link(ack, "Pause these emails"), new FormUrlEncodedContent([new("days", "30")]));
        await app.AdvanceAsync(60 * Day, TimeSpan.FromHours(6));

        Assert.Single(app.MailTo(email));
    }

    [Fact]
    public async Task ACheckInDuringAnOutage_IsRetriedWithBackoff_AndDeliveredOnceAfter()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        app.SmtpPort(FreePorts.Next());
        try
        {
            await app.AdvanceAsync(7 * Day, TimeSpan.FromHours(6));
            await app.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));
            var attempts = await app.ScalarAsync(
                "SELECT max(attempts) FROM outbox_messages WHERE kind = 'GentleCheckIn' AND status = 'Planned' AND intake_request_id = ANY(@intakes)",
                ("intakes", await app.IntakesAsync([email])));
            Assert.InRange(attempts, 3, 6);
        }
        finally
        {
            app.SmtpBack();
        }

        await app.AdvanceAsync(TimeSpan.FromHours(4), TimeSpan.FromMinutes(10));
        Assert.Equal(2, app.MailTo(email).Count);
        Assert.Equal(["Acknowledgement", "GentleCheckIn"], await app.KindsSentAsync(email));
    }

    [Fact]
    public async Task ACheckInRefusedForGood_IsMarkedFailed_AndTheClosingNoteStillFollows()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        await using var refuses = ScriptedSmtpServer.Answering("554 5.6.0 message refused");
        app.SmtpPort(refuses.Port);
        try
        {
            app.Clock.Set(start + 7 * Day);
            await app.DeliverDueAsync();
        }
        finally
        {
            app.SmtpBack();
        }

        Assert.Equal(["Acknowledgement"], await app.KindsSentAsync(email));
        Assert.Equal(1L, await app.ScalarAsync(
            "SELECT count(*) FROM outbox_messages WHERE kind = 'GentleCheckIn' AND status = 'Failed' AND intake_request_id = ANY(@intakes)",
            ("intakes", await app.IntakesAsync([email]))));
        app.Clock.Set(start + 21 * Day);
        await app.DeliverDueAsync();
        Assert.Equal(["Acknowledgement", "ClosingNote"], await app.KindsSentAsync(email));
    }

    [Fact]
    public async Task Markers_ReachThePersonsInbox_ButNeverTheLogs_WhenMessagesAreRenderedAndLinksUsed()
    {
        app.MoveToNextMondayAfternoonUtc();
        var marker = Guid.NewGuid().ToString("N")[..12];
        var email = $"canary.{marker}@example.org";
        var form = IntakeForms.Valid(email);
        form["name"] = $"Canary{marker}";
        form["message"] = $"Canary words {marker}.";
        using (var client = app.CreateClient())
        {
            Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(IntakeForms.Post(form))).StatusCode);
        }

        await app.DeliverDueAsync();
        var intakeId = (await app.IntakesAsync([email]))[0];
        using var admin = await app.SignInAsAdminAsync();
        await admin.PostAsJsonAsync($"/api/staff/intake/{intakeId}/messages", new { body = $"A personal note for Canary{marker}." });
        await app.DeliverDueAsync();
        using var person = new HttpClient();
        var pause = app.Link(app.MailTo(email)[0], "Pause these emails");
        await person.GetAsync(pause);
        await person.PostAsync(pause, new FormUrlEncodedContent([new("days", "30")]));

        var mail = app.MailTo(email);
        Assert.Equal(2, mail.Count);
        Assert.Contains($"Canary{marker}", mail[1].TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain($"Canary words {marker}", string.Concat(mail.Select(m => m.TextBody)), StringComparison.Ordinal);
        var logs = app.Logs.All;
        Assert.Contains(intakeId.ToString(), logs, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, logs, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheSendJobRunTwiceForOneRow_SendsOneEmail()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("when-ready");
        var ack = Assert.Single(await app.DueIdsAsync(email));

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var scope = app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<OutboxSender>().SendAsync(ack, CancellationToken.None);
        }));

        Assert.Single(app.MailTo(email));
        Assert.Single(results, r => r == MessageStatus.Sent);
    }

    [Fact]
    public async Task AFailureAfterData_IsMarkedUncertain_IsNeverResent_AndStaffCanSeeIt()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("when-ready");
        var ack = Assert.Single(await app.DueIdsAsync(email));
        await using var dropsAfterData = ScriptedSmtpServer.DroppingAfterData();
        app.SmtpPort(dropsAfterData.Port);
        try
        {
            await app.DeliverDueAsync();
        }
        finally
        {
            app.SmtpBack();
        }

        Assert.Equal("Uncertain", await app.StatusAsync(ack));
        Assert.True(dropsAfterData.ReceivedContent);
        await app.AdvanceAsync(TimeSpan.FromDays(2), TimeSpan.FromHours(1));
        Assert.Empty(app.MailTo(email));

        using var admin = await app.SignInAsAdminAsync();
        var intakeId = (await app.IntakesAsync([email]))[0];
        var detail = await (await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative))).JsonAsync();
        Assert.Equal("uncertain", detail.GetProperty("messages")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task NotNow_ClosesTheRequestGently_WithOneConfirmation_ThenNothing()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        using var person = new HttpClient();

        var response = await person.PostAsync(app.Link(app.MailTo(email)[0], "Not now / no thanks"), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.AdvanceAsync(60 * Day, TimeSpan.FromHours(6));
        var mail = app.MailTo(email);
        Assert.Equal(2, mail.Count);
        Assert.Equal(1L, await app.ScalarAsync(
            "SELECT count(*) FROM intake_requests WHERE id = ANY(@intakes) AND status = 'Closed' AND closed_reason = 'PersonDeclined'",
            ("intakes", await app.IntakesAsync([email]))));
        Assert.Equal(["Acknowledgement", "ClosedAtTheirRequest"], await app.KindsSentAsync(email));
    }

    [Fact]
    public async Task ChangingThePaceByLink_ToThreeMonths_MeansOneCheckInAt90Days()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        using var person = new HttpClient();

        await person.PostAsync(app.Link(app.MailTo(email)[0], "Change how often we write"),
            new FormUrlEncodedContent([new("pace", "check-in-3-months")]));
        await app.AdvanceAsync(89 * Day, TimeSpan.FromHours(6));
        Assert.Single(app.MailTo(email));
        await app.AdvanceAsync(30 * Day, TimeSpan.FromHours(6));

        var checkIn = Assert.Single(app.MailTo(email).Skip(1));
        Assert.True(checkIn.Date >= start + 90 * Day);
    }

    [Fact]
    public async Task APersonalMessage_GoesOut_AndRestartsTheClockForTheCheckIn()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        var intakeId = (await app.IntakesAsync([email]))[0];
        app.Clock.Set(start + 3 * Day);
        using var admin = await app.SignInAsAdminAsync();

        var sent = await admin.PostAsJsonAsync($"/api/staff/intake/{intakeId}/messages", new { body = "Hello again, I have Thursday afternoons free if that ever suits." });
        await app.DeliverDueAsync();

        Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
        var personal = app.MailTo(email)[1];
        Assert.Contains("Thursday afternoons", personal.TextBody, StringComparison.Ordinal);
        Assert.Null(personal.Headers["Auto-Submitted"]);
        app.Clock.Set(start + 7 * Day);
        await app.DeliverDueAsync();
        Assert.Equal(2, app.MailTo(email).Count);
        app.Clock.Set(start + 10 * Day);
        await app.DeliverDueAsync();
        Assert.Equal(3, app.MailTo(email).Count);
    }

    [Fact]
    public async Task EraseMyData_ByLink_ErasesAndStopsEverything()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        var intakeId = (await app.IntakesAsync([email]))[0];
        using var person = new HttpClient();
        var link = app.Link(app.MailTo(email)[0], "Erase my data");

        var erased = await person.PostAsync(link, new FormUrlEncodedContent([]));
        var again = await person.GetAsync(link);

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        await app.AdvanceAsync(30 * Day, TimeSpan.FromHours(6));
        Assert.Single(app.MailTo(email));
        Assert.Equal(1L, await app.ScalarAsync(
            "SELECT count(*) FROM clients c JOIN intake_requests r ON r.client_id = c.id WHERE r.id = @id AND c.erased_at IS NOT NULL AND r.message_sealed IS NULL",
            ("id", intakeId)));
    }
}
