using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using netDumbster.smtp;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests.Faults;

/// <summary>
/// DESIGN invariant 1 through ten seconds without PostgreSQL, under intake load: every 201 is a stored request;
/// every answer meanwhile is a 503 problem+json with Retry-After, never a 500; each refused request, resent with
/// its Idempotency-Key, is stored exactly once; and the app — its Hangfire server too — serves again without a
/// restart: every stored request's acknowledgement goes out, once.
/// </summary>
[Trait("Category", "Faults")]
[Collection(FaultSuite.Name)]
public sealed class PostgresOutageUnderLoadTests(OutageUnderLoadApp app) : IClassFixture<OutageUnderLoadApp>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TenSecondsWithoutPostgres_LosesNoAcceptedRequest_AndEverythingRecoversWithoutARestart()
    {
        using var client = app.CreateClient();
        var answers = new ConcurrentBag<Attempt>();
        var first = await SendAsync(client, Attempt.New());
        Assert.Equal(HttpStatusCode.Created, first.Status);
        answers.Add(first);

        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                answers.Add(await SendAsync(client, Attempt.New()));
                await Task.Delay(20, CancellationToken.None);
            }
        })).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await app.Postgres.StopAsync();
        await Task.Delay(Outage);
        await app.Postgres.StartAgainAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var all = answers.ToList();
        var unexpected = all.Where(a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable)).ToList();
        Assert.True(unexpected.Count == 0, "answers other than 201 or 503: " + string.Join(", ", unexpected.Select(a => (int)a.Status)));
        var refused = all.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, a =>
        {
            Assert.Equal("application/problem+json", a.ContentType);
            Assert.True(a.RetryAfter, "a 503 without Retry-After");
        });

        // Every 201 is a stored request: its id is in the table, nothing half-written (its client and acknowledgement too).
        var accepted = all.Where(a => a.Status == HttpStatusCode.Created).ToList();
        Assert.True(accepted.Count > refused.Count / 10, $"only {accepted.Count} requests were accepted around the outage");
        var acceptedIds = accepted.Select(a => a.IntakeId!.Value).ToArray();
        Assert.Equal(acceptedIds.Length, await CountAsync("SELECT count(*) FROM intake_requests WHERE id = ANY(@ids)", acceptedIds));
        Assert.Equal(acceptedIds.Length, await CountAsync(
            "SELECT count(*) FROM outbox_messages WHERE kind = 'Acknowledgement' AND intake_request_id = ANY(@ids)", acceptedIds));

        // The refused ones, sent again as the form's "try again" does: each stored once, with no restart in between.
        foreach (var attempt in refused)
        {
            var again = await SendAsync(client, attempt);
            Assert.Equal(HttpStatusCode.Created, again.Status);
            answers.Add(again);
        }

        var people = answers.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Email).Distinct().ToList();
        Assert.Equal(people.Count, all.Select(a => a.Key).Distinct().Count());
        Assert.Equal(people.Count, await CountAsync("SELECT count(*) FROM intake_requests", []));
        Assert.Equal(people.Count, await CountAsync("SELECT count(*) FROM clients", []));

        // Hangfire kept running through it: each acknowledgement goes out once, nothing left behind.
        var waited = Stopwatch.StartNew();
        while (await CountAsync("SELECT count(*) FROM outbox_messages WHERE kind = 'Acknowledgement' AND status = 'Sent'", []) < people.Count)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(3),
                $"acknowledgements not sent within three minutes of the outage: {await StatusesAsync()}");
            await Task.Delay(500);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        var received = app.Smtp.ReceivedEmail.SelectMany(m => m.ToAddresses).Select(a => a.Address.ToString()).ToList();
        Assert.Equal(people.Count, received.Count);
        Assert.Equal(people.Order(StringComparer.OrdinalIgnoreCase), received.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
    }

    private async Task<long> CountAsync(string sql, Guid[] ids) => (long)(await RawRows.ScalarAsync(app.Unpooled, sql, ("ids", ids)))!;

    private async Task<string> StatusesAsync() =>
        (await RawRows.ScalarAsync(app.Unpooled,
            "SELECT string_agg(status || coalesce(' (' || status_reason || ')', '') || ' enqueued ' || coalesce(job_enqueued_at::text, 'never') || ': ' || n, '; ') "
            + "FROM (SELECT status, status_reason, job_enqueued_at, count(*) AS n FROM outbox_messages WHERE status <> 'Sent' GROUP BY 1, 2, 3) s"))?.ToString() ?? "none";

    private static async Task<Attempt> SendAsync(HttpClient client, Attempt attempt)
    {
        using var response = await client.SendAsync(IntakeForms.Post(attempt.Form, attempt.Key));
        Guid? intakeId = response.StatusCode == HttpStatusCode.Created ? (await response.JsonAsync()).GetProperty("intakeId").GetGuid() : null;
        return attempt with
        {
            Status = response.StatusCode,
            ContentType = response.Content.Headers.ContentType?.MediaType,
            RetryAfter = response.Headers.RetryAfter is not null,
            IntakeId = intakeId,
        };
    }

    private sealed record Attempt(string Key, string Email, JsonObject Form, HttpStatusCode Status = 0, string? ContentType = null, bool RetryAfter = false, Guid? IntakeId = null)
    {
        public static Attempt New()
        {
            var email = $"outage.{Guid.NewGuid():N}@example.org";
            return new(Guid.NewGuid().ToString(), email, IntakeForms.Valid(email));
        }
    }
}

/// <summary>The app on a PostgreSQL server of its own, with its Hangfire server and production's sweeps, mailing a real SMTP server.</summary>
public sealed class OutageUnderLoadApp : OwnPostgresApp
{
    public SimpleSmtpServer Smtp { get; } = SimpleSmtpServer.Start(FreePorts.Next());

    protected override bool RunsJobServer => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithSmtp(builder, Smtp.Configuration.Port);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Smtp.Dispose();
        GC.SuppressFinalize(this);
    }
}
