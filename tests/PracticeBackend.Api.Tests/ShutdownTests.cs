using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A graceful stop (a deploy, a scale-down) while a message is on the wire waits for the SMTP server's answer
/// and records it: the message ends "sent", not "sending" and later "uncertain" (DESIGN invariant 4).
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AGracefulStop_WaitsForTheSendInFlight_AndRecordsItAsSent()
    {
        var app = new SlowSmtpApp(Stall);
        var stopped = false;
        try
        {
            await app.InitializeAsync();
            var form = IntakeForms.Valid();
            form["pace"] = "when-ready";
            Guid intakeId;
            using (var client = app.CreateClient())
            {
                var response = await client.SendAsync(IntakeForms.Post(form));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                intakeId = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
            }

            // The acknowledgement's content is on the server, whose "250" is still 20 seconds away.
            var waited = Stopwatch.StartNew();
            while (!app.Smtp.ReceivedContent)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the acknowledgement never reached the SMTP server");
                await Task.Delay(100);
            }

            Assert.Equal(0, app.Smtp.FinalRepliesGiven);
            await app.DisposeAsync();
            stopped = true;

            Assert.Equal(1, app.Smtp.MessagesReceived);
            Assert.Equal(1, app.Smtp.FinalRepliesGiven);
            Assert.Equal("Sent", await AcknowledgementStatusAsync(app.ConnectionString, intakeId));
        }
        finally
        {
            if (!stopped)
            {
                await app.DisposeAsync();
            }

            await app.Smtp.DisposeAsync();
        }
    }

    private static async Task<string> AcknowledgementStatusAsync(string connectionString, Guid intakeId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT status FROM outbox_messages WHERE intake_request_id = @id AND kind = 'Acknowledgement'", connection);
        command.Parameters.AddWithValue("id", intakeId);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>Production's send path (nudged sweep, own Hangfire server) to an SMTP server that is slow to accept, with the default 30 s SMTP timeout.</summary>
public sealed class SlowSmtpApp(TimeSpan stall) : PracticeAppFactory
{
    public ScriptedSmtpServer Smtp { get; } = ScriptedSmtpServer.StallingBeforeAccepting(stall);

    protected override bool RunsJobServer => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithSmtp(builder, Smtp.Port);
        builder.UseSetting("Email:Smtp:TimeoutSeconds", 30.ToString(CultureInfo.InvariantCulture));
    }
}
