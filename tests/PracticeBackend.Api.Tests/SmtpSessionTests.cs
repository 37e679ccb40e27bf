using MimeKit;
using PracticeBackend.Api.Email;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A send job's messages go in turn over one SMTP connection (ADR 0007): against a real socket, a session
/// keeps its connection between messages, opens a new one after a failure, and gives a message whose kept
/// connection the server had closed meanwhile one more try on a fresh one.
/// </summary>
public sealed class SmtpSessionTests
{
    [Fact]
    public async Task MessagesInOneSession_GoOverOneConnection()
    {
        await using var server = ScriptedSmtpServer.Answering("250 2.0.0 queued");
        var results = await SendAsync(server, 3);

        Assert.All(results, r => Assert.IsType<TransportResult.Sent>(r));
        Assert.Equal(3, server.FinalRepliesGiven);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task AConnectionTheServerClosedMeanwhile_IsOpenedAgain_AndEveryMessageIsSentOnce()
    {
        await using var server = ScriptedSmtpServer.AcceptingThenHangingUp();
        var results = await SendAsync(server, 3);

        Assert.All(results, r => Assert.IsType<TransportResult.Sent>(r));
        Assert.Equal(3, server.MessagesReceived);
        Assert.Equal(3, server.Connections);
    }

    [Fact]
    public async Task AfterARefusal_TheNextMessageOpensANewConnection()
    {
        await using var server = ScriptedSmtpServer.Answering("554 5.6.0 message refused");
        var results = await SendAsync(server, 2);

        Assert.All(results, r => Assert.IsType<TransportResult.Permanent>(r));
        Assert.Equal(2, server.Connections);
    }

    private static async Task<List<TransportResult>> SendAsync(ScriptedSmtpServer server, int count)
    {
        var settings = new SmtpSettings { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, TimeoutSeconds = 10 };
        var results = new List<TransportResult>();
        await using var session = new SmtpSession(settings);
        for (var i = 0; i < count; i++)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Practice", "hello@practice.test"));
            message.To.Add(new MailboxAddress("", $"person{i}@example.org"));
            message.Subject = "Thank you for writing";
            message.Body = new TextPart("plain") { Text = "We have your message." };
            results.Add(await session.SendAsync(message, CancellationToken.None));
        }

        return results;
    }
}
