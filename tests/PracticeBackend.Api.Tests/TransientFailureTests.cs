using System.Text.Json;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>What staff see of a message that failed for a while and then went: sent, with its attempts, and no failure left on it.</summary>
[Collection(FollowUps.Name)]
public sealed class TransientFailureTests(FollowUpApp app)
{
    [Fact]
    public async Task AMessageSentAfterTransientFailures_ShowsNoFailureReason_AndItsAttempts()
    {
        app.MoveToNextMondayAfternoonUtc();
        var email = await app.SubmitAsync("when-ready");
        var intake = (await app.IntakesAsync([email]))[0];
        app.SmtpPort(FreePorts.Next());
        try
        {
            await app.AdvanceAsync(TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1));
            var failing = Assert.Single((await app.StaffDetailAsync(intake)).GetProperty("messages").EnumerateArray());
            Assert.Equal("planned", failing.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.String, failing.GetProperty("statusReason").ValueKind);
            Assert.True(failing.GetProperty("attempts").GetInt32() >= 2);
        }
        finally
        {
            app.SmtpBack();
        }

        await app.AdvanceAsync(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1));

        Assert.Single(app.MailTo(email));
        var sent = Assert.Single((await app.StaffDetailAsync(intake)).GetProperty("messages").EnumerateArray());
        Assert.Equal("sent", sent.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, sent.GetProperty("statusReason").ValueKind);
        Assert.True(sent.GetProperty("attempts").GetInt32() >= 3, $"{sent.GetProperty("attempts").GetInt32()} attempts");
        Assert.Equal(0L, await app.ScalarAsync("SELECT count(*) FROM outbox_messages WHERE intake_request_id = @id AND status_reason IS NOT NULL", ("id", intake)));
    }
}
