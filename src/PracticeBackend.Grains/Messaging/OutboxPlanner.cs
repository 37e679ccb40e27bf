using Microsoft.EntityFrameworkCore;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Messaging;

/// <summary>
/// Keeps a person's planned automated follow-ups in line with the pacing policy. Every command that
/// changes what we may send (a submission, a send, stop, pause, a pace change, "not now", a reply, a
/// personal message, closing a request) calls <see cref="ReplanAsync"/> inside its own transaction,
/// after taking the client row lock — so planning for one person is serialised, and the planned rows
/// commit (or not) with the change that caused them.
/// </summary>
public static class OutboxPlanner
{
    /// <summary>Rows that count as used: they went out, may have, or failed for good — the policy moves on from them.</summary>
    private static readonly OutboxStatus[] UsedUp = [OutboxStatus.Sent, OutboxStatus.Sending, OutboxStatus.Uncertain, OutboxStatus.Failed];

    /// <summary>Locks the client row until the transaction ends (every writer of a person's outbox takes it first).</summary>
    public static async Task<Client> LockClientAsync(PracticeDbContext db, Guid clientId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"SELECT id FROM clients WHERE id = {clientId} FOR UPDATE", cancellationToken);
        return await db.Clients.SingleAsync(c => c.Id == clientId, cancellationToken);
    }

    public static OutboxMessage NewMessage(Guid clientId, Guid? intakeRequestId, MessageKind kind, DateTime dueAt, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        ClientId = clientId,
        IntakeRequestId = intakeRequestId,
        Kind = kind,
        Status = OutboxStatus.Planned,
        DueAt = dueAt,
        CreatedAt = now,
    };

    /// <summary>Cancels what may no longer go out and plans each open request's next follow-up (at most one each).</summary>
    public static async Task ReplanAsync(PracticeDbContext db, Client client, PacingSettings settings, DateTime now, CancellationToken cancellationToken)
    {
        var requests = await db.IntakeRequests.Where(r => r.ClientId == client.Id).ToListAsync(cancellationToken);
        var messages = await db.OutboxMessages
            .Where(m => m.ClientId == client.Id && m.Status != OutboxStatus.Cancelled)
            .ToListAsync(cancellationToken);
        var planned = messages.Where(m => m.Status == OutboxStatus.Planned).ToList();

        if (client.ErasedAt is not null || client.ContactStatus is ContactStatus.Stopped or ContactStatus.Bounced)
        {
            // Stop means stop: transactional messages too.
            planned.ForEach(m => m.Status = OutboxStatus.Cancelled);
            return;
        }

        var history = messages
            .Where(m => UsedUp.Contains(m.Status))
            .Select(m => new PastMessage(m.IntakeRequestId ?? Guid.Empty, m.Kind, Utc(m.SentAt ?? m.ClaimedAt ?? m.DueAt)))
            .ToList();

        foreach (var request in requests)
        {
            var automated = planned.Where(m => m.IntakeRequestId == request.Id && m.Kind.IsAutomatedFollowUp()).ToList();
            var decision = PacingPolicy.NextFollowUp(new PacingInput(
                client.Pace,
                client.ContactStatus,
                client.PausedUntil is { } until ? Utc(until) : null,
                request.Status,
                request.AutomationStoppedReason is not null,
                Utc(request.LastContactAt),
                history,
                request.Id,
                client.TimeZone,
                settings,
                Utc(now)));

            var keep = decision is PlanMessage plan ? automated.FirstOrDefault(m => m.Kind == plan.Kind) : null;
            foreach (var stale in automated.Where(m => m != keep))
            {
                stale.Status = OutboxStatus.Cancelled;
            }

            if (decision is not PlanMessage next)
            {
                continue;
            }

            var dueAt = next.EarliestAt.UtcDateTime;
            if (keep is null)
            {
                db.OutboxMessages.Add(NewMessage(client.Id, request.Id, next.Kind, dueAt, now));
            }
            else
            {
                // A row waiting out a retry backoff keeps its later time.
                var kept = keep.Attempts > 0 && keep.DueAt > dueAt ? keep.DueAt : dueAt;
                if (keep.DueAt != kept)
                {
                    keep.DueAt = kept;
                    keep.JobEnqueuedAt = null;
                }
            }
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
