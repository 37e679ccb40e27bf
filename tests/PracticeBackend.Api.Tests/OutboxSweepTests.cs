namespace PracticeBackend.Api.Tests;

/// <summary>
/// The real outbox sweep against the faults it exists for: a send job Hangfire lost, and a send that a dying
/// process left half done (DESIGN invariant 4: never twice; an unknown outcome is never resent).
/// </summary>
[Collection(FollowUps.Name)]
public sealed class OutboxSweepTests(FollowUpApp app)
{
    [Fact]
    public async Task ADueMessageWhoseJobWasLost_IsDeliveredOnce_ByTheNextSweep()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("when-ready");
        var ack = Assert.Single(await app.DueIdsAsync(email));

        // Handed to Hangfire eleven minutes ago, and its job never ran (lost with a restored Hangfire schema, say).
        await app.ScalarAsync("UPDATE outbox_messages SET job_enqueued_at = @at WHERE id = @id RETURNING 1",
            ("at", (app.Clock.GetUtcNow() - TimeSpan.FromMinutes(11)).UtcDateTime), ("id", ack));
        await app.DeliverDueAsync();

        Assert.Single(app.MailTo(email));
        Assert.Equal("Sent", await app.StatusAsync(ack));
        await app.AdvanceAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));
        Assert.Single(app.MailTo(email));
    }

    [Fact]
    public async Task ASendLeftHalfDoneByAProcessThatDied_BecomesUncertain_IsNeverResent_AndStaffSeeIt()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("when-ready");
        var ack = Assert.Single(await app.DueIdsAsync(email));

        // Claimed nine minutes ago by a process that then died between SMTP DATA and recording the outcome.
        var claimedAt = (app.Clock.GetUtcNow() - TimeSpan.FromMinutes(9)).UtcDateTime;
        await app.ScalarAsync("UPDATE outbox_messages SET status = 'Sending', claimed_at = @at, first_attempt_at = @at, attempts = 1 WHERE id = @id RETURNING 1",
            ("at", claimedAt), ("id", ack));
        await app.SweepOnceAsync();
        Assert.Equal("Sending", await app.StatusAsync(ack));

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await app.DeliverDueAsync();
        Assert.Equal("Uncertain", await app.StatusAsync(ack));
        await app.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromHours(1));

        Assert.Empty(app.MailTo(email));
        var message = Assert.Single((await app.StaffDetailAsync((await app.IntakesAsync([email]))[0])).GetProperty("messages").EnumerateArray());
        Assert.Equal("uncertain", message.GetProperty("status").GetString());
        Assert.Equal("claim-abandoned", message.GetProperty("statusReason").GetString());
    }

    [Fact]
    public async Task ACheckInLeftHalfSentByAProcessThatDied_IsNotResent_ButTheClosingNoteStillFollows()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        app.Clock.Set(start + TimeSpan.FromDays(7));
        var checkIn = Assert.Single(await app.DueIdsAsync(email));

        // Claimed, then the process died before it recorded the send or planned what follows.
        var claimedAt = (app.Clock.GetUtcNow() - TimeSpan.FromMinutes(11)).UtcDateTime;
        await app.ScalarAsync("UPDATE outbox_messages SET status = 'Sending', claimed_at = @at, first_attempt_at = @at, attempts = 1 WHERE id = @id RETURNING 1",
            ("at", claimedAt), ("id", checkIn));
        await app.DeliverDueAsync();
        await app.AdvanceAsync(TimeSpan.FromDays(16), TimeSpan.FromHours(6));

        Assert.Equal("Uncertain", await app.StatusAsync(checkIn));
        Assert.Equal(["We received your message", "Leaving the door open"], app.MailTo(email).Select(m => m.Subject ?? "").ToArray());
    }
}
