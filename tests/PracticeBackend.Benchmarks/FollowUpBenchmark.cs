using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;
using PracticeBackend.Testing;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// docs/benchmarks.md, reproduced by:
///   dotnet run -c Release --project tests/PracticeBackend.Benchmarks [-- messages]
/// One process: the whole app (Kestrel, silo, Hangfire server with 4 workers on 2 cores) on a
/// throwaway PostgreSQL (or PRACTICE_TEST_DATABASE), and <see cref="SmtpSink"/> on loopback.
/// </summary>
public static class FollowUpBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var connectionString = await TestPostgres.CreateDatabaseAsync("bench");
        await using var smtp = new SmtpSink();
        var app = BuildApp(connectionString, smtp.Port);
        await app.StartAsync();
        try
        {
            var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            Report("machine", $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

            await IntakeAsync(app, baseAddress, smtp, requests: 1000, concurrency: 8);
            await InlineEnqueueCostAsync(app, 1000);
            var drained = await DrainAsync(app, smtp, messages);
            var noOps = await NoOpJobsAsync(app, messages);
            Report("ratio: messages/s ÷ Hangfire no-op jobs/s", (drained / noOps).ToString("0.00", CultureInfo.InvariantCulture));
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static WebApplication BuildApp(string connectionString, int smtpPort)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Practice"] = connectionString,
            ["Practice:Name"] = "Benchmark Practice",
            ["Practice:TimeZone"] = "America/Chicago",
            ["Practice:PublicBaseUrl"] = "http://localhost:5080",
            ["Practice:CrisisResources"] = "If you are in crisis, call or text 988.",
            ["Practice:Email:SignerName"] = "Alex",
            ["Practice:Silo:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Practice:Silo:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Practice:RateLimits:IntakePerMinute"] = "1000000",
            ["Email:Mode"] = "Smtp",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:FromAddress"] = "hello@bench.test",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddPracticeBackend();
        var app = builder.Build();
        app.UsePracticeBackend();
        return app;
    }

    /// <summary>Public intake over HTTP: the outbox row is written in the request's transaction; Hangfire is not on its path.</summary>
    private static async Task IntakeAsync(WebApplication app, Uri baseAddress, SmtpSink smtp, int requests, int concurrency)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        var form = (int i) => new
        {
            name = "Bench",
            email = $"intake.{i}.{Guid.NewGuid():N}@example.org",
            pace = "gentle",
            message = "A short message of the usual length.",
            consent = new { contact = true, version = "2026-11" },
        };
        for (var i = 0; i < 20; i++)
        {
            (await http.PostAsJsonAsync("/api/intake", form(i))).EnsureSuccessStatusCode();
        }

        var latencies = new double[requests];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                (await http.PostAsJsonAsync("/api/intake", form(i))).EnsureSuccessStatusCode();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        Report($"intake: {requests} POST /api/intake, {concurrency} concurrent",
            $"{requests / elapsed:0.0} requests/s; p50 {latencies[requests / 2]:0.0} ms, p99 {latencies[(int)(requests * 0.99)]:0.0} ms");

        // Let the acknowledgements those intakes planned go out before the next measurement.
        await WaitAsync(() => smtp.Received >= requests + 20, TimeSpan.FromMinutes(10));
        Report("  (their acknowledgements, sent in the background)", $"all {smtp.Received} arrived");
    }

    /// <summary>What enqueueing a Hangfire job inside the intake request would add to it, per request.</summary>
    private static Task InlineEnqueueCostAsync(WebApplication app, int count)
    {
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var target = Succeeded(app) + count;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            jobs.Enqueue(() => NoOp.Run());
        }

        Report($"Hangfire enqueue, {count} sequential calls", $"{clock.Elapsed.TotalMilliseconds / count:0.00} ms per enqueue");
        return WaitAsync(() => Succeeded(app) >= target, TimeSpan.FromMinutes(5));
    }

    private static async Task<double> DrainAsync(WebApplication app, SmtpSink smtp, int count)
    {
        var seeded = await SeedDueMessagesAsync(app, count);
        var before = smtp.Received;
        var clock = Stopwatch.StartNew();
        using (var scope = app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OutboxSweep>().RunAsync(CancellationToken.None);
        }

        var contexts = app.Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>();
        await WaitAsync(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync();
            return await db.OutboxMessages.CountAsync(m => seeded.Contains(m.Id) && m.Status == MessageStatus.Sent) >= count;
        }, TimeSpan.FromMinutes(30));
        var rate = count / clock.Elapsed.TotalSeconds;
        Report($"outbox drain: {count} due messages → sweep → Hangfire send jobs → SMTP sink",
            $"{rate:0.0} messages/s ({clock.Elapsed.TotalSeconds:0.0} s; sink received {smtp.Received - before})");
        return rate;
    }

    private static async Task<double> NoOpJobsAsync(WebApplication app, int count)
    {
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var target = Succeeded(app) + count;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            jobs.Enqueue(() => NoOp.Run());
        }

        await WaitAsync(() => Succeeded(app) >= target, TimeSpan.FromMinutes(30));
        var rate = count / clock.Elapsed.TotalSeconds;
        Report($"Hangfire no-op jobs on the same storage: {count} enqueued and run", $"{rate:0.0} jobs/s ({clock.Elapsed.TotalSeconds:0.0} s)");
        return rate;
    }

    /// <summary>Writes <paramref name="count"/> people, each with one acknowledgement due now; returns the outbox ids.</summary>
    private static async Task<Guid[]> SeedDueMessagesAsync(WebApplication app, int count)
    {
        var ids = new List<Guid>(count);
        var phi = app.Services.GetRequiredService<PhiProtector>();
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>();
        var now = DateTime.UtcNow;
        for (var batch = 0; batch < count; batch += 1000)
        {
            await using var db = await contexts.CreateDbContextAsync();
            for (var i = batch; i < Math.Min(count, batch + 1000); i++)
            {
                var client = new Client
                {
                    Id = Guid.CreateVersion7(),
                    EmailBlindIndex = Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray(),
                    EmailSealed = phi.Seal($"drain.{i}@example.org")!,
                    NameSealed = phi.Seal("Bench"),
                    TimeZone = "America/Chicago",
                    Pace = Pace.WhenReady,
                    ContactStatus = ContactStatus.Open,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                var request = new IntakeRequest
                {
                    Id = Guid.CreateVersion7(),
                    ClientId = client.Id,
                    Status = IntakeStatus.Submitted,
                    Pace = Pace.WhenReady,
                    PreferredFormat = PreferredFormat.Either,
                    SubmittedAt = now,
                    LastContactAt = now,
                };
                var message = new OutboxMessage
                {
                    Id = Guid.CreateVersion7(),
                    ClientId = client.Id,
                    IntakeRequestId = request.Id,
                    Kind = MessageKind.Acknowledgement,
                    Status = MessageStatus.Planned,
                    DueAt = now,
                    DueRule = TimingRules.AtOnce,
                    CreatedAt = now,
                };
                ids.Add(message.Id);
                db.AddRange(client, request, message);
            }

            await db.SaveChangesAsync();
        }

        return [.. ids];
    }

    /// <summary>Hangfire's own counter of succeeded jobs (stats:succeeded).</summary>
    private static long Succeeded(WebApplication app) =>
        app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().GetStatistics().Succeeded;

    private static Task WaitAsync(Func<bool> done, TimeSpan limit) => WaitAsync(() => Task.FromResult(done()), limit);

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Not done within {limit}.");
            }

            await Task.Delay(50);
        }
    }

    private static void Report(string what, string result) => Console.WriteLine($"{what,-80} {result}");
}

/// <summary>The cheapest job Hangfire can run: the storage's own cost per job.</summary>
public static class NoOp
{
    public static void Run()
    {
    }
}
