namespace PracticeBackend.Api.Tests;

/// <summary>DESIGN invariant 3 for a pause: one that commits just before a due check-in's job runs holds it until the pause ends.</summary>
[Collection(FollowUps.Name)]
public sealed class PauseAtSendTimeTests(FollowUpApp app)
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task APauseThatLandsAfterPlanning_HoldsTheDueCheckIn_UntilThePauseEnds_ThenItGoes()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        app.Clock.Set(start + 7 * Day);
        var checkIn = Assert.Single(await app.DueIdsAsync(email));
        var pausedUntil = app.Clock.GetUtcNow() + 30 * Day;

        // The pause commits without re-planning (as one racing the planner would): only the claim's re-check stands between it and a send.
        await app.ScalarAsync("UPDATE clients SET contact_status = 'Paused', paused_until = @until WHERE id = (SELECT client_id FROM intake_requests WHERE id = ANY(@intakes)) RETURNING 1",
            ("until", pausedUntil.UtcDateTime), ("intakes", await app.IntakesAsync([email])));
        await app.DeliverDueAsync();

        Assert.Single(app.MailTo(email));
        var planned = Assert.Single((await app.StaffDetailAsync((await app.IntakesAsync([email]))[0])).GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("id").GetGuid() == checkIn);
        Assert.Equal("planned", planned.GetProperty("status").GetString());
        Assert.True(planned.GetProperty("dueAt").GetDateTimeOffset() >= pausedUntil, "the check-in is planned for after the pause");
        Assert.Equal("pause-ends", planned.GetProperty("dueRule").GetString());

        await app.AdvanceAsync(30 * Day - TimeSpan.FromHours(6), TimeSpan.FromHours(6));
        Assert.Single(app.MailTo(email));
        await app.AdvanceAsync(2 * Day, TimeSpan.FromHours(1));
        var after = Assert.Single(app.MailTo(email).Skip(1));
        Assert.Equal("Just checking in", after.Subject);
        Assert.True(after.Date >= pausedUntil, $"sent {after.Date:O}, before the pause ended at {pausedUntil:O}");
    }
}
