using Hangfire;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Email;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Jobs;

/// <summary>
/// One Hangfire job per batch of due outbox rows, sent over one connection; its only argument is the rows'
/// ids. Retries are the outbox's, not Hangfire's: each row is claimed and recorded on its own.
/// </summary>
public sealed class SendOutboxBatchJob(OutboxSender sender)
{
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid[] outboxMessageIds, CancellationToken cancellationToken) => sender.SendBatchAsync(outboxMessageIds, cancellationToken);
}

/// <summary>A job per row, as the sweep enqueued them before batches: kept so that jobs already queued still run.</summary>
public sealed class SendOutboxMessageJob(OutboxSender sender)
{
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid outboxMessageId, CancellationToken cancellationToken) => sender.SendAsync(outboxMessageId, cancellationToken);
}

/// <summary>
/// Hands due rows to Hangfire. Runs every minute (a recurring job, and a timer in the dispatcher) and
/// whenever a command just planned something for "now" (<see cref="OutboxSignal"/>), so a crash between a
/// commit and an enqueue loses nothing and the intake request itself never waits on Hangfire.
/// </summary>
public sealed partial class OutboxSweep(
    IDbContextFactory<PracticeDbContext> contexts,
    IBackgroundJobClient jobs,
    IGrainFactory grains,
    IOptions<PracticeOptions> practice,
    PracticeClock clock,
    ILogger<OutboxSweep> logger)
{
    public const string RecurringJobId = "outbox-sweep";

    /// <summary>A job enqueued this long ago whose row is still planned is presumed lost and enqueued again.</summary>
    public static readonly TimeSpan JobPresumedLostAfter = TimeSpan.FromMinutes(10);

    /// <summary>A claim older than this never finished (the process died mid-send): its outcome is unknown.</summary>
    public static readonly TimeSpan ClaimPresumedDeadAfter = TimeSpan.FromMinutes(10);

    public const string ClaimAbandoned = "claim-abandoned";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var batchSize = Math.Clamp(practice.Value.Jobs.SweepBatchSize, 1, 10_000);
        var sendBatchSize = Math.Clamp(practice.Value.Jobs.SendBatchSize, 1, 1_000);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Claims that never finished (the process died mid-send): their outcome is unknown. The person's grain
        // records that, and plans what follows, since the job that died never did.
        var abandoned = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.Status == MessageStatus.Sending && m.ClaimedAt < now - ClaimPresumedDeadAfter && m.ClientId != null)
            .Select(m => new { m.Id, ClientId = m.ClientId!.Value })
            .ToListAsync(cancellationToken);
        foreach (var claim in abandoned)
        {
            try
            {
                await grains.GetGrain<IClientGrain>(claim.ClientId).MarkClaimAbandoned(new MarkClaimAbandoned(claim.Id, ClaimAbandoned));
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // One person's failure (the database, a conflict, the grain's call timing out) must not stop
                // the sweep: nothing else would be sent. The next sweep finds the claim again.
                LogAbandonedFailed(logger, claim.Id, failure);
            }
        }

        await db.OutboxMessages
            .Where(m => m.Status == MessageStatus.Sending && m.ClaimedAt < now - ClaimPresumedDeadAfter && m.ClientId == null)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, MessageStatus.Uncertain).SetProperty(x => x.StatusReason, ClaimAbandoned), cancellationToken);

        var enqueued = 0;
        while (true)
        {
            // A row is marked enqueued only once its job exists: if Hangfire's storage fails half-way, the
            // transaction rolls back and the next sweep finds the rows again. A job enqueued twice is
            // harmless (the claim finds the row no longer planned); a row marked without a job would wait
            // for JobPresumedLostAfter.
            var stale = now - JobPresumedLostAfter;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var due = await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM outbox_messages
                WHERE status = 'Planned' AND due_at <= {now} AND (job_enqueued_at IS NULL OR job_enqueued_at < {stale})
                ORDER BY due_at
                LIMIT {batchSize}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken);
            foreach (var batch in due.Chunk(sendBatchSize))
            {
                jobs.Enqueue<SendOutboxBatchJob>(job => job.RunAsync(batch, CancellationToken.None));
            }

            await db.OutboxMessages.Where(m => due.Contains(m.Id))
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.JobEnqueuedAt, now), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            enqueued += due.Count;
            if (due.Count < batchSize)
            {
                break;
            }
        }

        if (enqueued > 0 || abandoned.Count > 0)
        {
            LogSwept(logger, enqueued, abandoned.Count);
        }

        return enqueued;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the abandoned claim of outbox message {MessageId} failed; the next sweep tries again")]
    private static partial void LogAbandonedFailed(ILogger logger, Guid messageId, Exception failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sweep enqueued {Enqueued} sends; {Abandoned} abandoned claims marked uncertain")]
    private static partial void LogSwept(ILogger logger, int enqueued, int abandoned);
}

/// <summary>A nudge from a command that planned a message for now: the dispatcher sweeps at once instead of within the minute.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Nudge()
    {
        if (_pending.CurrentCount == 0)
        {
            try
            {
                _pending.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already nudged; one sweep covers both.
            }
        }
    }

    /// <summary>Waits for a nudge, or for <paramref name="atMost"/>; true when nudged.</summary>
    public Task<bool> WaitAsync(TimeSpan atMost, CancellationToken cancellationToken) => _pending.WaitAsync(atMost, cancellationToken);

    /// <summary>Takes a nudge that came meanwhile, if any: the sweep about to run covers it.</summary>
    public void Absorb() => _pending.Wait(0);

    public void Dispose() => _pending.Dispose();
}

/// <summary>
/// Runs the sweep whenever nudged, and every <see cref="Tick"/> whatever happens, so that rows due while the
/// database or Hangfire's storage was away go out within a minute of their return. A nudge waits
/// <see cref="Gather"/> for others to join it: under load, one sweep and one send job then carry many
/// acknowledgements instead of one each (a fifth of a second is nothing to a person reading their inbox;
/// the CPU it saves is measured in docs/benchmarks.md).
/// </summary>
internal sealed partial class OutboxDispatcher(OutboxSignal signal, IServiceScopeFactory scopes, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (await signal.WaitAsync(Tick, stoppingToken))
            {
                await Task.Delay(Gather, stoppingToken);
                signal.Absorb();
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<OutboxSweep>().RunAsync(stoppingToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                // The recurring sweep will pick the rows up; the dispatcher keeps listening.
                LogSweepFailed(logger, failure);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A nudged outbox sweep failed; the recurring sweep will retry")]
    private static partial void LogSweepFailed(ILogger logger, Exception failure);
}
