using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

using PracticeBackend.Grains;

namespace PracticeBackend.Api.Jobs;

/// <summary>
/// Storage limitation (GDPR Art. 5(1)(e)): people whose requests all closed without a booking more
/// than <c>Practice:Retention:UnconvertedRequestDays</c> ago are erased. Takes no arguments; safe
/// to run twice (an erased client is skipped).
/// </summary>
public sealed partial class RetentionPurgeJob(
    IDbContextFactory<PracticeDbContext> contexts,
    IGrainFactory grains,
    Security.DbTicketStore sessions,
    IOptions<PracticeOptions> practice,
    PracticeClock clock,
    ILogger<RetentionPurgeJob> logger)
{
    public const string RecurringJobId = "retention-purge";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-practice.Value.Retention.UnconvertedRequestDays);
        List<Guid> due;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            due = await db.Clients.AsNoTracking()
                .Where(c => c.ErasedAt == null
                    && c.IntakeRequests.Any()
                    && c.IntakeRequests.All(r => r.Status == IntakeStatus.Closed && r.ClosedAt < cutoff))
                .Select(c => c.Id)
                .ToListAsync(cancellationToken);
        }

        await sessions.RemoveExpiredAsync(cancellationToken);

        var actor = StaffActor.System(RecurringJobId);
        foreach (var clientId in due)
        {
            await grains.GetGrain<IClientGrain>(clientId).EraseDetails(new EraseClient(actor, AuditActions.ClientPurge));
        }

        LogPurged(logger, due.Count);
        return due.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purge erased {Count} clients")]
    private static partial void LogPurged(ILogger logger, int count);
}
