using System.Diagnostics;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Security;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// The follow-up drain (N due acknowledgements → the sweep → one Hangfire send job each → SMTP sink), beside
/// its baseline: N Hangfire no-op jobs on the same storage, with the app's CPU per message and per job.
/// Numbers comparable with docs/benchmarks.md's earlier tables (same seeding, sweep and storage); the waiting
/// is lighter than it was (the sink's count, then one confirming query), so less of the benchmark is in them.
/// </summary>
public sealed class DrainRun(BenchApp app, SinkProcess sink, Report report)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(30);

    public async Task RunAsync(int messages)
    {
        report.Section($"Follow-up drain and its baseline, Hangfire no-op jobs ({messages} each)");
        var (drain, drainCpu) = await DrainAsync(messages);
        var (noOps, noOpCpu) = await NoOpJobsAsync(messages);
        var ratio = drain.PerSecond / noOps.PerSecond;
        report.Line($"outbox drain: {messages} due messages → sweep → Hangfire send jobs → SMTP sink",
            $"{drain.PerSecond:0.0} messages/s ({drain.Seconds:0.0} s; sink received {drain.Received})", Report.Ratio(ratio, "Hangfire no-op jobs/s"));
        report.Line($"Hangfire no-op jobs on the same storage: {messages} enqueued and run",
            $"{noOps.PerSecond:0.0} jobs/s ({noOps.Seconds:0.0} s)", "baseline (drain)");
        report.Line("  app CPU per delivered message", $"{drainCpu.App.TotalMilliseconds / messages:0.00} ms; {drainCpu.Describe()}",
            Report.Ratio(drainCpu.App.TotalMilliseconds / noOpCpu.App.TotalMilliseconds, "app CPU per no-op job"));
        report.Line("  app CPU per no-op job", $"{noOpCpu.App.TotalMilliseconds / messages:0.00} ms; {noOpCpu.Describe()}", "baseline (drain CPU)");
        if (drainCpu.Postgres is { } database && noOpCpu.Postgres is { } noOpDatabase)
        {
            report.Line("  PostgreSQL CPU per delivered message", $"{database.TotalMilliseconds / messages:0.00} ms",
                Report.Ratio(database / noOpDatabase, "PostgreSQL CPU per no-op job"));
        }

        report.Goal("drain ≥ 1.0 × Hangfire no-op rate", $"{ratio:0.00} × ({drain.PerSecond:0.0} vs {noOps.PerSecond:0.0}/s)", ratio >= 1.0);
    }

    private sealed record Rate(double Seconds, int Count, int Received = 0)
    {
        public double PerSecond => Count / Seconds;
    }

    private async Task<(Rate, ProcessCpu.Window)> DrainAsync(int count)
    {
        var seeded = await SeedDueMessagesAsync(count);
        var before = await sink.ReceivedAsync();
        var start = app.Cpu(sink.ProcessId);
        using (var scope = app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OutboxSweep>().RunAsync(CancellationToken.None);
        }

        // The sink's count is free to ask; the database confirms that every row was marked sent.
        await sink.WaitForAsync(before + count, Limit);
        var contexts = app.Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>();
        while (true)
        {
            await using var db = await contexts.CreateDbContextAsync();
            if (await db.OutboxMessages.CountAsync(m => seeded.Contains(m.Id) && m.Status == MessageStatus.Sent) >= count)
            {
                break;
            }

            await Task.Delay(50);
        }

        var window = app.Cpu(sink.ProcessId).Since(start);
        return (new Rate(window.Wall.TotalSeconds, count, await sink.ReceivedAsync() - before), window);
    }

    private async Task<(Rate, ProcessCpu.Window)> NoOpJobsAsync(int count)
    {
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var batch = NoOp.Batch.Begin(app);
        var start = app.Cpu(sink.ProcessId);
        for (var i = 0; i < count; i++)
        {
            jobs.Enqueue(() => NoOp.Run());
        }

        await batch.WaitAsync(count, Limit);
        var window = app.Cpu(sink.ProcessId).Since(start);
        return (new Rate(window.Wall.TotalSeconds, count), window);
    }

    /// <summary>Writes <paramref name="count"/> people, each with one acknowledgement due now; returns the outbox ids.</summary>
    private async Task<Guid[]> SeedDueMessagesAsync(int count)
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
}

/// <summary>The cheapest job Hangfire can run: the storage's own cost per job. It counts its runs, so waiting for a batch asks no one.</summary>
public static class NoOp
{
    private static long _runs;

    public static long Runs => Interlocked.Read(ref _runs);

    public static void Run() => Interlocked.Increment(ref _runs);

    /// <summary>Jobs enqueued from now on: done once they have run and Hangfire counts them succeeded.</summary>
    public sealed class Batch
    {
        private readonly BenchApp _app;
        private readonly long _runs;
        private readonly long _succeeded;

        private Batch(BenchApp app)
        {
            _app = app;
            _runs = Runs;
            _succeeded = Succeeded(app);
        }

        public static Batch Begin(BenchApp app) => new(app);

        public async Task WaitAsync(int count, TimeSpan limit)
        {
            var clock = Stopwatch.StartNew();
            while (Runs < _runs + count || Succeeded(_app) < _succeeded + count)
            {
                if (clock.Elapsed > limit)
                {
                    throw new TimeoutException($"{Runs - _runs} of {count} no-op jobs ran within {limit}.");
                }

                // Only the last few polls ask Hangfire's statistics (several queries); the counter costs nothing.
                await Task.Delay(Runs < _runs + count ? 20 : 50);
            }
        }

        /// <summary>Hangfire's own counter of succeeded jobs (stats:succeeded).</summary>
        private static long Succeeded(BenchApp app) =>
            app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().GetStatistics().Succeeded;
    }
}
