using MediatR;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Api.Security;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Features.Staff;

/// <summary>
/// The practice's pulse, for admins: how long open requests have waited, how soon people hear from a person,
/// and where the last 90 days' requests ended up. Counts and durations only — no names, no words, no ids.
/// No API endpoint: the dashboard's pulse page only.
/// </summary>
public static class PracticePulse
{
    public const int Days = 90;
    public const int Weeks = 13;

    public sealed record Query : IRequest<View?>;

    /// <param name="OpenByAge">Open requests (new, in conversation, times offered) by time since they came: under a day, 1–3 days, 3–7 days, over a week.</param>
    /// <param name="MedianFirstReply">Over first personal replies sent in the last 90 days: the median time from the request to that reply.</param>
    /// <param name="FirstReplies">How many first personal replies went in the last 90 days.</param>
    /// <param name="ReplyWeeks">The same, week by week (oldest first), for the last 13 weeks.</param>
    /// <param name="Outcomes">Where the requests that came in the last 90 days stand now.</param>
    public sealed record View(
        DateTimeOffset At,
        AgeCounts OpenByAge,
        TimeSpan? MedianFirstReply,
        int FirstReplies,
        ReplyWeek[] ReplyWeeks,
        Outcomes Outcomes);

    public sealed record AgeCounts(int UnderADay, int OneToThreeDays, int ThreeToSevenDays, int OverAWeek)
    {
        public int Total => UnderADay + OneToThreeDays + ThreeToSevenDays + OverAWeek;
    }

    /// <summary>The week from <paramref name="From"/> (inclusive) to <paramref name="To"/>, by when first replies were sent.</summary>
    public sealed record ReplyWeek(DateTimeOffset From, DateTimeOffset To, int Replies, TimeSpan? Median);

    /// <param name="ClosedByReason">Every close reason, in the order staff choose them, with its count (zero included).</param>
    public sealed record Outcomes(int Came, int Booked, ReasonCount[] ClosedByReason, int StillOpen)
    {
        public int Closed => ClosedByReason.Sum(r => r.Count);
    }

    public sealed record ReasonCount(string Reason, int Count);

    /// <summary>Listed only when some closed request has no reason on record.</summary>
    public const string NoReasonRecorded = "no-reason-recorded";

    private static readonly IntakeStatus[] Open = [IntakeStatus.Submitted, IntakeStatus.InConversation, IntakeStatus.TimesOffered];

    internal sealed class Handler(IDbContextFactory<PracticeDbContext> contexts, StaffContext staff, PracticeClock clock) : IRequestHandler<Query, View?>
    {
        public async Task<View?> Handle(Query query, CancellationToken cancellationToken)
        {
            if (!staff.Actor.IsAdmin)
            {
                return null;
            }

            var at = clock.GetUtcNow();
            var now = at.UtcDateTime;
            var since = now.AddDays(-Days);
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);

            var dayAgo = now.AddDays(-1);
            var threeDaysAgo = now.AddDays(-3);
            var weekAgo = now.AddDays(-7);
            var ages = await db.IntakeRequests.AsNoTracking()
                .Where(r => Open.Contains(r.Status))
                .GroupBy(r => r.SubmittedAt > dayAgo ? 0 : r.SubmittedAt > threeDaysAgo ? 1 : r.SubmittedAt > weekAgo ? 2 : 3)
                .Select(g => new { Bucket = g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Bucket, g => g.Count, cancellationToken);
            var openByAge = new AgeCounts(ages.GetValueOrDefault(0), ages.GetValueOrDefault(1), ages.GetValueOrDefault(2), ages.GetValueOrDefault(3));

            // A request's first personal reply is the earliest personal message of it that was sent.
            var firstReplies = await db.OutboxMessages.AsNoTracking()
                .Where(m => m.Kind == MessageKind.Personal && m.SentAt != null && m.IntakeRequestId != null)
                .GroupBy(m => m.IntakeRequestId)
                .Select(g => new { IntakeId = g.Key, SentAt = g.Min(m => m.SentAt)!.Value })
                .Where(f => f.SentAt >= since && f.SentAt <= now)
                .Join(db.IntakeRequests, f => f.IntakeId, r => r.Id, (f, r) => new { f.SentAt, r.SubmittedAt })
                .ToListAsync(cancellationToken);
            var waits = firstReplies.Select(f => (f.SentAt, Wait: f.SentAt - f.SubmittedAt)).ToList();

            var weeks = new ReplyWeek[Weeks];
            for (var i = 0; i < Weeks; i++)
            {
                var to = now.AddDays(-7 * (Weeks - 1 - i));
                var from = to.AddDays(-7);
                var inWeek = waits.Where(w => w.SentAt > from && w.SentAt <= to).Select(w => w.Wait).ToList();
                weeks[i] = new ReplyWeek(from.AsUtc(), to.AsUtc(), inWeek.Count, Median(inWeek));
            }

            var came = await db.IntakeRequests.AsNoTracking()
                .Where(r => r.SubmittedAt >= since)
                .GroupBy(r => new { r.Status, r.ClosedReason })
                .Select(g => new { g.Key.Status, g.Key.ClosedReason, Count = g.Count() })
                .ToListAsync(cancellationToken);
            var closed = new List<ReasonCount>();
            foreach (var name in CloseReasonNames.All)
            {
                if (CloseReasonNames.TryParse(name, out var reason))
                {
                    closed.Add(new ReasonCount(name, came.Where(c => c.Status == IntakeStatus.Closed && c.ClosedReason == reason).Sum(c => c.Count)));
                }
            }

            if (came.Where(c => c.Status == IntakeStatus.Closed && c.ClosedReason is null).Sum(c => c.Count) is > 0 and var unrecorded)
            {
                closed.Add(new ReasonCount(NoReasonRecorded, unrecorded));
            }

            var outcomes = new Outcomes(
                came.Sum(c => c.Count),
                came.Where(c => c.Status == IntakeStatus.Booked).Sum(c => c.Count),
                [.. closed],
                came.Where(c => Open.Contains(c.Status)).Sum(c => c.Count));

            return new View(at, openByAge, Median(waits.Select(w => w.Wait).ToList()), waits.Count, weeks, outcomes);
        }

    }

    /// <summary>The middle value; with an even count, halfway between the two middle ones.</summary>
    internal static TimeSpan? Median(List<TimeSpan> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
