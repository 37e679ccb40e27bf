using System.Diagnostics;
using MimeKit;

namespace PracticeBackend.Api.Tests;

/// <summary>The production path, unshortened: intake commit → nudge → sweep → Hangfire send job → SMTP.</summary>
[Collection(Api.Name)]
public sealed class AcknowledgementDeliveryTests(ApiFixture app)
{
    [Fact]
    public async Task Acknowledgement_ArrivesThroughHangfireAndSmtp_SecondsAfterSubmission()
    {
        var email = $"ack.{Guid.NewGuid():N}@example.org";

        await app.SubmitIntakeAsync(IntakeForms.Valid(email));

        var arrived = await WaitForMailAsync(email, TimeSpan.FromSeconds(30));
        Assert.NotNull(arrived);
        Assert.Equal("hello@practice.test", arrived.From.Mailboxes.Single().Address);
        Assert.Contains("No need to reply", arrived.TextBody, StringComparison.Ordinal);
        Assert.NotNull(arrived.HtmlBody);
        Assert.Null(arrived.Headers["List-Unsubscribe"]);
    }

    private async Task<MimeMessage?> WaitForMailAsync(string address, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            var found = app.Smtp.ReceivedEmail
                .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))
                .FirstOrDefault(m => m.To.Mailboxes.Any(b => b.Address == address));
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(200);
        }

        return null;
    }
}
