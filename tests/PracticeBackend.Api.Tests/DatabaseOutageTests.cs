using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
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
/// DESIGN invariant 1 through a database outage: while PostgreSQL is away the form gets "try again shortly"
/// (503, Retry-After), never a 500; resent with its Idempotency-Key each request is stored exactly once; and
/// the app serves again without a restart. The host runs on a PostgreSQL server of its own, which the test stops.
/// </summary>
public sealed class DatabaseOutageTests(DatabaseOutageApp app) : IClassFixture<DatabaseOutageApp>
{
    [Fact]
    public async Task Intake_Answers503WithRetryAfter_DuringAnOutage_AndEachRefusedRequestIsStoredOnceWhenResent()
    {
        using var client = app.CreateClient();
        var requestsBefore = await RawRows.CountAsync(Unpooled, "intake_requests");
        var clientsBefore = await RawRows.CountAsync(Unpooled, "clients");
        var sent = new ConcurrentBag<Attempt>();
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(client, Attempt.New())).Status);

        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sent.Add(await SendAsync(client, Attempt.New()));
                await Task.Delay(50, CancellationToken.None);
            }
        })).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await app.Postgres.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await app.Postgres.StartAgainAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var answers = sent.ToList();
        var unexpected = answers.Where(a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(unexpected.Count == 0,
            $"answers other than 201/503: {string.Join(", ", unexpected.Select(a => (int)a.Status))}\n"
            + string.Join("\n", app.Logs.All.Split('\n').Where(l => l.StartsWith("Error PracticeBackend.Api.Hosting.ProblemDetailsExceptionHandler", StringComparison.Ordinal))));
        var refused = answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, a =>
        {
            Assert.Equal("application/problem+json", a.ContentType);
            Assert.True(a.RetryAfter, "a 503 without Retry-After");
        });

        foreach (var attempt in refused)
        {
            var again = await SendAsync(client, attempt);
            Assert.Equal(HttpStatusCode.Created, again.Status);
        }

        var fresh = await SendAsync(client, Attempt.New());
        Assert.Equal(HttpStatusCode.Created, fresh.Status);
        var keys = answers.Select(a => a.Key).Distinct().Count() + 2;
        Assert.Equal(requestsBefore + keys, await RawRows.CountAsync(Unpooled, "intake_requests"));
        Assert.Equal(clientsBefore + keys, await RawRows.CountAsync(Unpooled, "clients"));
    }

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
        Assert.Equal(1, app.Smtp.MessagesReceived);
    }

    private async Task<(Guid ClientId, Guid AcknowledgementId)> AcknowledgementAsync(Guid intakeId)
    {
        await using var connection = new NpgsqlConnection(Unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT client_id, id FROM outbox_messages WHERE intake_request_id = @intake AND kind = 'Acknowledgement'", connection);
        command.Parameters.AddWithValue("intake", intakeId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetGuid(0), reader.GetGuid(1));
    }

    /// <summary>The test's own connections are not pooled: one pooled before the restart would fail once after it.</summary>
    private string Unpooled => new NpgsqlConnectionStringBuilder(app.ConnectionString) { Pooling = false }.ConnectionString;

    private async Task<string> StatusAsync(Guid messageId)
    {
        await using var connection = new NpgsqlConnection(Unpooled);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM outbox_messages WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", messageId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Attempt> SendAsync(HttpClient client, Attempt attempt)
    {
        using var response = await client.SendAsync(IntakeForms.Post(attempt.Form, attempt.Key));
        return attempt with
        {
            Status = response.StatusCode,
            ContentType = response.Content.Headers.ContentType?.MediaType,
            RetryAfter = response.Headers.RetryAfter is not null,
        };
    }

    private sealed record Attempt(string Key, JsonObject Form, HttpStatusCode Status = 0, string? ContentType = null, bool RetryAfter = false)
    {
        public static Attempt New() => new(Guid.NewGuid().ToString(), IntakeForms.Valid());
    }
}

/// <summary>The app on a PostgreSQL server of its own (never the shared one), which a test may stop and start.</summary>
public sealed class DatabaseOutageApp : PracticeAppFactory
{
    private ThrowawayPostgres? _postgres;

    public ThrowawayPostgres Postgres => _postgres ?? throw new InvalidOperationException("Not started.");

    public CapturedLogs Logs { get; } = new();

    public ScriptedSmtpServer Smtp { get; } = ScriptedSmtpServer.Answering("250 2.0.0 queued");

    protected override async Task<string> CreateDatabaseAsync(string purpose)
    {
        _postgres = await ThrowawayPostgres.StartAsync();
        return await _postgres.CreateDatabaseAsync(purpose);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithoutRateLimits(builder);
        WithSmtp(builder, Smtp.Port);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
