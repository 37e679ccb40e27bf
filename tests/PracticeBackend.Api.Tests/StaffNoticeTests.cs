using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// Staff are told when it matters (Practice:Staff:OnDutyEmail): a request with crisis language reaches the
/// on-duty address within seconds, and says nothing of the person; a calm one sends staff nothing.
/// </summary>
public sealed class StaffCrisisAlertTests(StaffNoticeApp app) : IClassFixture<StaffNoticeApp>
{
    [Fact]
    public async Task ACrisisFlaggedRequest_TellsTheOnDutyAddressOnce_WithinSeconds_WithALinkAndNothingOfThePerson()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var email = $"crisis.{marker}@example.org";
        var phone = $"+1 312 555 {Random.Shared.Next(1000, 9999)}";
        var form = IntakeForms.Valid(email);
        form["name"] = $"Quinn{marker}";
        form["phone"] = phone;
        form["message"] = $"Most nights lately I want to die. {marker}";
        var before = app.MailTo(StaffNoticeApp.OnDuty).Count;

        var response = await app.PostIntakeAsync(form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var intakeId = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
        var alert = await app.WaitForMailAsync(StaffNoticeApp.OnDuty, before + 1, TimeSpan.FromSeconds(15));
        await app.WaitForMailAsync(email, 1, TimeSpan.FromSeconds(15));
        await app.DeliverDueAsync();
        Assert.Equal(before + 1, app.MailTo(StaffNoticeApp.OnDuty).Count);
        Assert.Equal("A request needs a prompt look", alert.Subject);
        Assert.Contains($"/dashboard/requests/{intakeId}", alert.TextBody, StringComparison.Ordinal);
        var everything = string.Join("\n", alert.Headers.Select(h => h.Value).Append(alert.TextBody).Append(alert.HtmlBody));
        Assert.DoesNotContain(marker, everything, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(phone[^8..], everything, StringComparison.Ordinal);
        Assert.DoesNotContain("want to die", everything, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ACalmRequest_SendsTheOnDutyAddressNothing()
    {
        var email = $"calm.{Guid.NewGuid():N}@example.org";
        var before = app.MailTo(StaffNoticeApp.OnDuty).Count;

        Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(IntakeForms.Valid(email))).StatusCode);

        // The acknowledgement goes by the same sweep that would carry an alert; once it is in, so would the alert be.
        await app.WaitForMailAsync(email, 1, TimeSpan.FromSeconds(15));
        await app.DeliverDueAsync();
        Assert.Equal(before, app.MailTo(StaffNoticeApp.OnDuty).Count);
    }
}

/// <summary>Practice:Staff:DailyWaitingNote: one short note a day, with counts, and none on a day nobody waits.</summary>
public sealed class StaffWaitingNoteTests(StaffNoticeApp app) : IClassFixture<StaffNoticeApp>
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task TheWaitingNote_GoesOnceADayWithTheCounts_AndNotAtAllWhenNobodyWaits()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        await RunTheJobAndDeliverAsync();
        Assert.Empty(app.MailTo(StaffNoticeApp.OnDuty));

        await SubmitAsync();
        app.Clock.Set(start + 2 * Day);
        await SubmitAsync();
        app.Clock.Set(start + 4 * Day);
        await SubmitAsync();
        await SubmitAsync();
        var answered = await SubmitAsync();
        using (var admin = await app.SignInAsAdminAsync())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(new Uri($"/api/staff/intake/{answered}/replied", UriKind.Relative), null)).StatusCode);
        }

        app.Clock.Set(start + 4 * Day + TimeSpan.FromHours(2));
        await RunTheJobAndDeliverAsync();
        app.Clock.Advance(TimeSpan.FromHours(3));
        await RunTheJobAndDeliverAsync();

        var note = Assert.Single(app.MailTo(StaffNoticeApp.OnDuty));
        Assert.Equal("Requests waiting for a first reply", note.Subject);
        Assert.Contains("4 requests are waiting for a first reply from someone at the practice. Less than a day: 2. One to three days: 1. More than three days: 1.",
            note.TextBody, StringComparison.Ordinal);
    }

    private async Task RunTheJobAndDeliverAsync()
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Jobs.StaffWaitingNoteJob>().RunAsync(CancellationToken.None);
        }

        await app.DeliverDueAsync();
    }

    private async Task<Guid> SubmitAsync()
    {
        var response = await app.PostIntakeAsync(IntakeForms.Valid());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
    }
}

/// <summary>A practice with an on-duty address and the daily note on, its sweeps running as in production (at the turned clock).</summary>
public sealed class StaffNoticeApp : FollowUpApp
{
    public const string OnDuty = "on-duty@practice.test";

    protected override bool SweepsOnlyWhenAsked => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:Staff:OnDutyEmail", OnDuty);
        builder.UseSetting("Practice:Staff:DailyWaitingNote", "true");
    }

    /// <summary>The <paramref name="count"/>-th message to <paramref name="address"/>, once it has arrived.</summary>
    public async Task<MimeMessage> WaitForMailAsync(string address, int count, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (MailTo(address).Count < count)
        {
            Assert.True(waited.Elapsed < within, $"no message {count} to {address} within {within.TotalSeconds} s");
            await Task.Delay(100);
        }

        return MailTo(address)[count - 1];
    }
}
