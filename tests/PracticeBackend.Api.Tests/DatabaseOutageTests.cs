using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A send that meets a database outage half-way. (Intake under load through a ten-second outage is in the fault
/// suite: Faults/PostgresOutageUnderLoadTests.) The host runs on a PostgreSQL server of its own, which the test stops.
/// </summary>
public sealed class DatabaseOutageTests(DatabaseOutageApp app) : IClassFixture<DatabaseOutageApp>
{
    /// <summary>
    /// The person's grain claims in memory and then cannot save the claim, nor reload: it must forget what it
    /// did not save. Were it to keep the claim, every later send would find the message "already claimed"
    /// while the database still says planned, and the acknowledgement would never go.
    /// </summary>
    [Fact]
    public async Task AnAcknowledgementWhoseClaimMetTheOutage_IsSentOnceTheDatabaseIsBack()
    {
        using var client = app.CreateClient();
        var response = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid(), Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var intakeId = (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
        var (clientId, acknowledgementId) = await AcknowledgementAsync(intakeId);
        var mailBefore = app.Smtp.MessagesReceived;

        await app.Postgres.StopAsync();
        try
        {
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            await Assert.ThrowsAnyAsync<Exception>(() => grains.GetGrain<IClientGrain>(clientId).ClaimToSend(new ClaimToSend(acknowledgementId)));
        }
        finally
        {
            await app.Postgres.StartAgainAsync();
        }

        // The send job, as Hangfire would run it again: the first uses of connections pooled before the
        // restart fail once each (the server closed them), so it may take a few runs; a grain that kept its
        // unsaved claim would answer "already claimed" to every one of them.
        for (var run = 1; run <= 10 && await StatusAsync(acknowledgementId) != "Sent"; run++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            try
            {
                await ActivatorUtilities.CreateInstance<SendOutboxBatchJob>(scope.ServiceProvider).RunAsync([acknowledgementId], CancellationToken.None);
            }
            catch (Exception failure) when (DatabaseOutage.Is(failure))
            {
                await Task.Delay(200);
            }
        }

        Assert.Equal("Sent", await StatusAsync(acknowledgementId));
        Assert.Equal(mailBefore + 1, app.Smtp.MessagesReceived);
    }

    /// <summary>
    /// A send job that meets an outage waits it out (half a minute at most) instead of failing: the sweep has
    /// marked its rows enqueued, and would hand them out again only after ten minutes.
    /// </summary>
    [Fact]
    public async Task ASendJobThatMeetsAShortOutage_WaitsItOut_AndSendsOnceTheDatabaseIsBack()
    {
        using var client = app.CreateClient();
        var response = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid(), Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var (_, acknowledgementId) = await AcknowledgementAsync((await response.JsonAsync()).GetProperty("intakeId").GetGuid());
        var mailBefore = app.Smtp.MessagesReceived;

        await app.Postgres.StopAsync();
        await using var scope = app.Services.CreateAsyncScope();
        Task job;
        try
        {
            job = ActivatorUtilities.CreateInstance<SendOutboxBatchJob>(scope.ServiceProvider).RunAsync([acknowledgementId], CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(job.IsCompleted, "the job ended while the database was away");
        }
        finally
        {
            await app.Postgres.StartAgainAsync();
        }

        await job.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("Sent", await StatusAsync(acknowledgementId));
        Assert.Equal(mailBefore + 1, app.Smtp.MessagesReceived);
    }

    private async Task<(Guid ClientId, Guid AcknowledgementId)> AcknowledgementAsync(Guid intakeId)
    {
        await using var connection = new NpgsqlConnection(app.Unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT client_id, id FROM outbox_messages WHERE intake_request_id = @intake AND kind = 'Acknowledgement'", connection);
        command.Parameters.AddWithValue("intake", intakeId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetGuid(0), reader.GetGuid(1));
    }

    private async Task<string> StatusAsync(Guid messageId) =>
        (string)(await RawRows.ScalarAsync(app.Unpooled, "SELECT status FROM outbox_messages WHERE id = @id", ("id", messageId)))!;
}

/// <summary>The app on a PostgreSQL server of its own (never the shared one), which a test may stop and start.</summary>
public abstract class OwnPostgresApp : PracticeAppFactory
{
    private ThrowawayPostgres? _postgres;

    public ThrowawayPostgres Postgres => _postgres ?? throw new InvalidOperationException("Not started.");

    public CapturedLogs Logs { get; } = new();

    /// <summary>The test's own connections are not pooled: one pooled before a restart would fail once after it.</summary>
    public string Unpooled => new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;

    protected override async Task<string> CreateDatabaseAsync(string purpose)
    {
        _postgres = await ThrowawayPostgres.StartAsync();
        return await _postgres.CreateDatabaseAsync(purpose);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithoutRateLimits(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class DatabaseOutageApp : OwnPostgresApp
{
    public ScriptedSmtpServer Smtp { get; } = ScriptedSmtpServer.Answering("250 2.0.0 queued");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithSmtp(builder, Smtp.Port);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
