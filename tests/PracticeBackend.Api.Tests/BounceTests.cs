namespace PracticeBackend.Api.Tests;

/// <summary>A mail server that refuses the recipient (550 to RCPT TO) means the address bounced: we write no more, as after a stop.</summary>
[Collection(FollowUps.Name)]
public sealed class BounceTests(FollowUpApp app)
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task ARecipientRefusedForGood_FailsTheMessage_BouncesTheContact_AndNothingMoreIsSent()
    {
        app.MoveToNextMondayAfternoonUtc();
        var start = app.Clock.GetUtcNow();
        var email = await app.SubmitAsync("gentle");
        await app.DeliverDueAsync();
        await using var refuses = ScriptedSmtpServer.RefusingRecipient("550 5.1.1 No such user here");
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

        Assert.False(refuses.ReceivedContent);
        var detail = await app.StaffDetailAsync((await app.IntakesAsync([email]))[0]);
        Assert.Equal("bounced", detail.GetProperty("contactStatus").GetString());
        var checkIn = Assert.Single(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("kind").GetString() == "gentle-check-in");
        Assert.Equal("failed", checkIn.GetProperty("status").GetString());

        await app.AdvanceAsync(90 * Day, TimeSpan.FromHours(6));
        Assert.Single(app.MailTo(email));
        Assert.Equal(["Acknowledgement"], await app.KindsSentAsync(email));

        var again = IntakeForms.Valid(email);
        Assert.Equal(System.Net.HttpStatusCode.Created, (await app.PostIntakeAsync(again)).StatusCode);
        await app.AdvanceAsync(30 * Day, TimeSpan.FromHours(6));
        var afterBounce = app.MailTo(email).Skip(1).ToList();
        Assert.True(afterBounce.Count <= 1, $"{afterBounce.Count} messages after the bounce");
        Assert.All(afterBounce, m => Assert.Equal("Did you write to us?", m.Subject));
    }
}
