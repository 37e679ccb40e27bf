using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Messages;

/// <summary>A planned message keeps going, at this time, chosen by this rule.</summary>
public sealed record Reschedule(Guid MessageId, DateTimeOffset DueAt, string Rule);

/// <summary>A planned message that may no longer go, and why (one of <see cref="HoldReasons"/>).</summary>
public sealed record Cancellation(Guid MessageId, string Reason);

/// <summary>A follow-up to add to a request's plan.</summary>
public sealed record NewFollowUp(Guid RequestId, MessageKind Kind, DateTimeOffset DueAt, string Rule);

public sealed record OutboxChanges(IReadOnlyList<Reschedule> Reschedule, IReadOnlyList<Cancellation> Cancel, IReadOnlyList<NewFollowUp> Add);

/// <summary>
/// One person's planned messages, brought in line with their current state: every planned message gets a
/// time (or is cancelled) by <see cref="Delivery"/>, and each open request gets at most one planned
/// automated follow-up, the one its pace calls for next. Pure: the caller loads the rows and applies the
/// changes in the same transaction as the command that changed the person's state.
/// </summary>
public static class OutboxPlan
{
    /// <param name="requests">All of the person's requests.</param>
    /// <param name="history">Messages that went out, may have, or failed for good.</param>
    /// <param name="pending">Messages still planned.</param>
    public static OutboxChanges Replan(
        Contact contact,
        IReadOnlyList<RequestState> requests,
        IReadOnlyList<PastMessage> history,
        IReadOnlyList<PendingMessage> pending,
        PacingSettings settings,
        DateTimeOffset now)
    {
        // Messages other than follow-ups are judged first, on what has gone; the follow-ups then also keep their
        // distance from the personal messages now planned, at the times just chosen for them.
        var context = new DeliveryContext(contact, history, settings, now);
        var byId = requests.ToDictionary(r => r.Id);
        var reschedule = new List<Reschedule>();
        var cancel = new List<Cancellation>();
        var add = new List<NewFollowUp>();

        void Apply(PendingMessage message, DeliveryDecision decision)
        {
            switch (decision)
            {
                case SendAt send when send.At <= now && message.DueAt <= now && message.DueRule is not null:
                    // Due already, and still allowed now: its time (and the job handed it) stand.
                    break;
                case SendAt send:
                    reschedule.Add(new Reschedule(message.Id, send.At, send.Rule));
                    break;
                case DoNotSend hold:
                    cancel.Add(new Cancellation(message.Id, hold.Reason));
                    break;
            }
        }

        var plannedCounting = new List<DateTimeOffset>();
        foreach (var message in pending.Where(m => !m.Kind.IsAutomatedFollowUp()))
        {
            var request = message.RequestId is { } id ? byId.GetValueOrDefault(id) : null;
            var (notBefore, rule) = Earliest(message.CreatedAt, null, message.RetryAt);
            var decision = Delivery.Decide(message.Kind.Rule(), request, notBefore, rule, context, message.Session);
            Apply(message, decision);
            if (decision is SendAt send && message.Kind.Rule().CountsTowardWeeklyCap)
            {
                plannedCounting.Add(send.At);
            }
        }

        context = context with { PlannedCounting = plannedCounting };

        foreach (var request in requests)
        {
            var planned = pending.Where(m => m.RequestId == request.Id && m.Kind.IsAutomatedFollowUp()).ToList();
            var retryAt = planned.Select(m => m.RetryAt).Max();
            var (kind, decision) = NextFollowUp(contact, request, history, settings, now, retryAt, context.PlannedCounting);
            var keep = decision is SendAt ? planned.FirstOrDefault(m => m.Kind == kind) : null;
            foreach (var stale in planned.Where(m => m != keep))
            {
                cancel.Add(new Cancellation(stale.Id, decision is DoNotSend hold ? hold.Reason : HoldReasons.Superseded));
            }

            if (keep is not null)
            {
                Apply(keep, decision);
            }
            else if (decision is SendAt send)
            {
                add.Add(new NewFollowUp(request.Id, kind!.Value, send.At, send.Rule));
            }
        }

        return new OutboxChanges(reschedule, cancel, add);
    }

    /// <summary>
    /// The automated follow-up a request's pace calls for next, and whether and when it may go; the kind is
    /// null when the pace calls for none.
    /// </summary>
    /// <param name="retryAt">A planned follow-up waiting out a retry backoff keeps its later time.</param>
    public static (MessageKind? Kind, DeliveryDecision Decision) NextFollowUp(
        Contact contact,
        RequestState request,
        IReadOnlyList<PastMessage> history,
        PacingSettings settings,
        DateTimeOffset now,
        DateTimeOffset? retryAt = null,
        IReadOnlyList<DateTimeOffset>? plannedCounting = null)
    {
        var next = PacingPolicy.NextFollowUp(contact.Pace, request, history, settings);
        if (next is not FollowUpDue due)
        {
            return (null, new DoNotSend(((NoFollowUp)next).Reason));
        }

        var (notBefore, rule) = Earliest(due.NotBefore, due.Rule, retryAt);
        return (due.Kind, Delivery.Decide(due.Kind.Rule(), request, notBefore, rule, new DeliveryContext(contact, history, settings, now, plannedCounting)));
    }

    /// <summary>The due times of planned messages that count toward the weekly cap (personal messages; never automated ones, which are what is being planned).</summary>
    public static IReadOnlyList<DateTimeOffset> PlannedCounting(IEnumerable<PendingMessage> pending, Guid? except) =>
        [.. pending.Where(m => m.Id != except && !m.Kind.IsAutomatedFollowUp() && m.Kind.Rule().CountsTowardWeeklyCap).Select(m => m.DueAt)];

    /// <summary>A message waiting out a retry backoff keeps its later time.</summary>
    private static (DateTimeOffset At, string? Rule) Earliest(DateTimeOffset at, string? rule, DateTimeOffset? retryAt) =>
        retryAt is { } retry && retry > at ? (retry, TimingRules.RetryBackoff) : (at, rule);
}
