using System.Net;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The pace bug: "I'll reach out when I'm ready" and then back to "a gentle check-in is fine" must bring the
/// check-in back, seven days after the person's last change, in their own send window.
/// </summary>
[Collection(FollowUps.Name)]
public sealed class PaceChangeTests(FollowUpApp app)
{
    private static readonly TimeZoneInfo Chicago = TimeZoneInfo.FindSystemTimeZoneById("America/Chicago");

    [Fact]
    public async Task GentleAgainAfterWhenReady_PlansACheckIn_SevenDaysAfterTheLastChange_InTheRecipientsWindow()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        var paceLink = app.Link(Assert.Single(app.MailTo(email)), "Change how often we write");
        using var person = new HttpClient();

        app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await person.PostAsync(paceLink, Pace("when-ready"))).StatusCode);

        // Tuesday evening in Chicago, after the window: seven days on is outside it too.
        app.Clock.Advance(TimeSpan.FromHours(11));
        var changedAt = app.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await person.PostAsync(paceLink, Pace("gentle"))).StatusCode);

        var weekLater = TimeZoneInfo.ConvertTime(changedAt + TimeSpan.FromDays(7), Chicago);
        Assert.True(weekLater.Hour >= 19 && weekLater.DayOfWeek == DayOfWeek.Tuesday, $"the week after the change ends at {weekLater}, not a Tuesday evening");
        var windowOpens = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(weekLater.Date.AddDays(1).AddHours(9), Chicago));

        var detail = await app.StaffDetailAsync((await app.IntakesAsync([email]))[0]);
        var planned = Assert.Single(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("status").GetString() == "planned");
        Assert.Equal("gentle-check-in", planned.GetProperty("kind").GetString());
        Assert.Equal(windowOpens, planned.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal("next-send-window", planned.GetProperty("dueRule").GetString());

        app.Clock.Set(windowOpens - TimeSpan.FromMinutes(1));
        await app.DeliverDueAsync();
        Assert.Single(app.MailTo(email));
        app.Clock.Set(windowOpens);
        await app.DeliverDueAsync();
        var checkIn = app.MailTo(email)[1];
        Assert.Equal("Just checking in", checkIn.Subject);
        Assert.Equal(windowOpens, checkIn.Date);
    }

    private static FormUrlEncodedContent Pace(string pace) => new([new("pace", pace)]);
}
