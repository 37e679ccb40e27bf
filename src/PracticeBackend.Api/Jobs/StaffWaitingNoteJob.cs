using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Jobs;

/// <summary>
/// When the practice turns it on (<c>Practice:Staff:DailyWaitingNote</c>), plans one short note a day to
/// the on-duty address: how many requests wait for a first human reply, and for how long. Nothing on days
/// when nobody waits. Safe to run twice: the day is the message's identity.
/// </summary>
public sealed partial class StaffWaitingNoteJob(
    IDbContextFactory<PracticeDbContext> contexts,
    IOptions<PracticeOptions> practice,
    OutboxSignal outbox,
    PracticeClock clock,
    ILogger<StaffWaitingNoteJob> logger)
{
    public const string RecurringJobId = "staff-waiting-note";

    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var staff = practice.Value.Staff;
        if (!staff.DailyWaitingNote || string.IsNullOrWhiteSpace(staff.OnDutyEmail))
        {
            return false;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if ((await WaitingForAFirstReply.CountAsync(db, now, cancellationToken)).Total == 0)
        {
            return false;
        }

        var id = DayId(DateOnly.FromDateTime(now));
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO outbox_messages (id, kind, status, due_at, due_rule, attempts, created_at)
            VALUES ({id}, {nameof(MessageKind.StaffWaitingNote)}, {nameof(MessageStatus.Planned)}, {now}, {TimingRules.AtOnce}, 0, {now})
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken);
        if (inserted > 0)
        {
            outbox.Nudge();
            LogPlanned(logger, id);
        }

        return inserted > 0;
    }

    private static Guid DayId(DateOnly day)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes($"staff-waiting-note:{day:yyyy-MM-dd}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Staff waiting note {MessageId} planned")]
    private static partial void LogPlanned(ILogger logger, Guid messageId);
}

/// <summary>Requests no one at the practice has answered yet: open, with no personal message and no recorded reply.</summary>
public static class WaitingForAFirstReply
{
    public static async Task<WaitingCounts> CountAsync(PracticeDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var submitted = await db.IntakeRequests.AsNoTracking()
            .Where(r => r.Status == IntakeStatus.Submitted || r.Status == IntakeStatus.InConversation)
            .Where(r => !db.OutboxMessages.Any(m => m.IntakeRequestId == r.Id && m.Kind == MessageKind.Personal))
            .Where(r => !r.Events.Any(e => e.Kind == IntakeEventKinds.Replied))
            .Select(r => r.SubmittedAt)
            .ToListAsync(cancellationToken);
        var ages = submitted.Select(at => now - at).ToList();
        return new WaitingCounts(
            ages.Count(a => a < TimeSpan.FromDays(1)),
            ages.Count(a => a >= TimeSpan.FromDays(1) && a <= TimeSpan.FromDays(3)),
            ages.Count(a => a > TimeSpan.FromDays(3)));
    }
}
