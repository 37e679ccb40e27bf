using NodaTime;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;

namespace PracticeBackend.Testing;

/// <summary>Something that happened to one person, or a message that reached them, in the order it happened.</summary>
public abstract record Entry(DateTimeOffset At);

public sealed record Wrote(DateTimeOffset At, Guid RequestId, Pace Pace, bool Crisis) : Entry(At);

public sealed record Stopped(DateTimeOffset At) : Entry(At);

public sealed record Paused(DateTimeOffset At, DateTimeOffset Until) : Entry(At);

public sealed record Resumed(DateTimeOffset At) : Entry(At);

public sealed record ChosePace(DateTimeOffset At, Pace Pace) : Entry(At);

public sealed record SaidNotNow(DateTimeOffset At) : Entry(At);

public sealed record RepliedTo(DateTimeOffset At, Guid RequestId) : Entry(At);

public sealed record StaffWrote(DateTimeOffset At, Guid RequestId) : Entry(At);

public sealed record StaffClosed(DateTimeOffset At, Guid RequestId) : Entry(At);

public sealed record Erased(DateTimeOffset At) : Entry(At);

/// <summary>The mail server refused the address for good.</summary>
public sealed record Bounced(DateTimeOffset At) : Entry(At);

public sealed record ConfirmedAddress(DateTimeOffset At, Guid RequestId) : Entry(At);

/// <summary>A message reached the person (or, for staff notices, the practice).</summary>
public sealed record Delivered(DateTimeOffset At, Guid? RequestId, MessageKind Kind) : Entry(At);

/// <summary>The mail system refused a message, or was down longer than the retry budget: it failed for good, and staff see it.</summary>
public sealed record GaveUp(DateTimeOffset At, Guid? RequestId, MessageKind Kind) : Entry(At);

/// <summary>
/// DESIGN.md's rules for messages, written a second time and on purpose apart from the code that follows
/// them: it reads what happened to a person and what they received, and lists every rule broken. It knows
/// the table's promises (caps, the window, stop means stop, nothing after erasure, the pace the person
/// chose), not how planning or the send job work, so it judges a pure simulation and a run through the
/// real sender, Hangfire and PostgreSQL alike.
/// </summary>
public static class MessageTableOracle
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly TimeSpan ConfirmationSpacing = TimeSpan.FromDays(30);
    private static readonly MessageKind[] Automated = [MessageKind.GentleCheckIn, MessageKind.ClosingNote, MessageKind.ScheduledCheckIn];
    private static readonly MessageKind[] InWindowOnly = [.. Automated, MessageKind.Personal, MessageKind.Outcome];
    private static readonly MessageKind[] MayGoAfterStop = [MessageKind.AddressConfirmation, MessageKind.ClosedAtTheirRequest, MessageKind.StaffCrisisAlert];

    public static IReadOnlyList<string> Violations(string timeZone, IReadOnlyList<Entry> story)
    {
        var zone = DateTimeZoneProviders.Tzdb[timeZone];
        var person = new Person();
        var broken = new List<string>();
        foreach (var entry in story)
        {
            if (entry is Delivered delivered)
            {
                broken.AddRange(Judge(person, delivered, zone).Select(rule => $"{delivered.Kind} at {delivered.At:O} ({Local(delivered.At, zone)}): {rule}"));
                person.Received(delivered);
            }
            else
            {
                person.Apply(entry);
            }
        }

        return broken;
    }

    /// <summary>
    /// What should have arrived and did not: the acknowledgement of a request from an open contact, a
    /// personal message staff wrote, the outcome of a request staff closed — each unless the person stopped,
    /// paused, bounced or was erased after it (then silence is the rule, or the message waits past the run).
/// A message the mail system refused for good counts as answered: it is a visible failure, not a lost plan.
    /// </summary>
    public static IReadOnlyList<string> Missing(IReadOnlyList<Entry> story)
    {
        var missing = new List<string>();
        var delivered = story.OfType<Delivered>().Select(d => (d.At, d.RequestId, d.Kind))
            .Concat(story.OfType<GaveUp>().Select(g => (g.At, g.RequestId, g.Kind))).ToList();
        for (var i = 0; i < story.Count; i++)
        {
            var quietAfter = story.Skip(i + 1).Any(e => e is Stopped or Paused or Bounced or Erased);
            if (quietAfter || !OpenAt(story, i))
            {
                continue;
            }

            var (request, kind) = story[i] switch
            {
                Wrote wrote => ((Guid?)wrote.RequestId, (MessageKind?)MessageKind.Acknowledgement),
                StaffWrote wrote => (wrote.RequestId, MessageKind.Personal),
                StaffClosed closed => (closed.RequestId, MessageKind.Outcome),
                _ => (null, null),
            };
            if (kind is { } expected && !delivered.Any(d => d.RequestId == request && d.Kind == expected && d.At >= story[i].At))
            {
                missing.Add($"no {expected} for what happened at {story[i].At:O} ({story[i]})");
            }
        }

        return missing;
    }

    /// <summary>Whether contact was open (no stop, pause, bounce or erasure) when the entry at <paramref name="index"/> happened.</summary>
    private static bool OpenAt(IReadOnlyList<Entry> story, int index)
    {
        var person = new Person();
        foreach (var entry in story.Take(index))
        {
            person.Apply(entry);
        }

        return !person.IsStopped && !person.IsBounced && !person.IsErased && !(person.PausedUntil > story[index].At);
    }

    private static IEnumerable<string> Judge(Person person, Delivered message, DateTimeZone zone)
    {
        var kind = message.Kind;
        var at = message.At;
        var request = message.RequestId is { } id ? person.Requests.GetValueOrDefault(id) : null;
        if (person.IsErased)
        {
            yield return "sent after erasure";
        }

        if ((person.IsStopped || person.IsBounced) && !MayGoAfterStop.Contains(kind))
        {
            yield return person.IsStopped ? "sent after a stop" : "sent to a bounced address";
        }

        if (person.PausedUntil > at && !MayGoAfterStop.Contains(kind))
        {
            yield return "sent during a pause";
        }

        if (InWindowOnly.Contains(kind) && !InWindow(at, zone))
        {
            yield return "sent outside 09:00–19:00 on a weekday in the recipient's zone";
        }

        if (request is null && kind != MessageKind.StaffWaitingNote)
        {
            yield return "about no request of theirs";
            yield break;
        }

        switch (kind)
        {
            case MessageKind.Acknowledgement when !request!.WelcomedAtSubmission || request.Acknowledged:
                yield return "an acknowledgement for a request from a stopped or paused address, or a second one";
                break;
            case MessageKind.AddressConfirmation when request!.WelcomedAtSubmission:
                yield return "an address confirmation for a request from an open contact";
                break;
            case MessageKind.AddressConfirmation when person.LastConfirmationAt is { } last && at - last < ConfirmationSpacing:
                yield return "a second address confirmation within 30 days";
                break;
            case MessageKind.Outcome when !request!.ClosedByStaff:
                yield return "an outcome for a request staff did not close";
                break;
            case MessageKind.ClosedAtTheirRequest when person.NotNowConfirmationsOwed == 0:
                yield return "a not-now confirmation without a not now (or a second one for one click)";
                break;
            case MessageKind.Personal when request!.PersonalMessagesWritten <= request.PersonalMessagesDelivered:
                yield return "a personal message no one wrote";
                break;
            case MessageKind.StaffCrisisAlert when !request!.Crisis:
                yield return "a crisis alert for a calm request";
                break;
        }

        if (!Automated.Contains(kind))
        {
            yield break;
        }

        if (request!.Crisis)
        {
            yield return "an automated message for a request that needs a human";
        }

        if (!request.Open || request.AutomationEnded || request.AwaitingConfirmation)
        {
            yield return "an automated message after the request closed, the person replied, wrote again, or before they confirmed their address";
        }

        if (request.AutomatedDelivered >= 3)
        {
            yield return "a fourth automated follow-up for one request";
        }

        if (request.ClosingNoteAt is { } closing && !(person.PaceChosenAt > closing))
        {
            yield return "an automated message after the closing note promised silence";
        }

        if (person.LastCountedAt is { } previous && at - previous < Week)
        {
            yield return $"within 7 days of the previous check-in or personal message ({previous:O})";
        }

        var fitsPace = person.Pace switch
        {
            Pace.WhenReady => false,
            Pace.Gentle => kind is MessageKind.GentleCheckIn or MessageKind.ClosingNote,
            _ => kind == MessageKind.ScheduledCheckIn,
        };
        if (!fitsPace)
        {
            yield return $"not what the pace they chose ({person.Pace}) allows";
        }
    }

    private static bool InWindow(DateTimeOffset at, DateTimeZone zone)
    {
        var local = Instant.FromDateTimeOffset(at).InZone(zone).LocalDateTime;
        return local.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday) && local.Hour is >= 9 and < 19;
    }

    private static string Local(DateTimeOffset at, DateTimeZone zone) => Instant.FromDateTimeOffset(at).InZone(zone).LocalDateTime.ToString("ddd yyyy-MM-dd HH:mm", null);

    private sealed class Request
    {
        public required Pace Pace { get; init; }

        public required bool Crisis { get; init; }

        public required bool WelcomedAtSubmission { get; init; }

        public bool AwaitingConfirmation { get; set; }

        public bool Open { get; set; } = true;

        public bool AutomationEnded { get; set; }

        public bool ClosedByStaff { get; set; }

        public bool Acknowledged { get; set; }

        public int AutomatedDelivered { get; set; }

        public DateTimeOffset? ClosingNoteAt { get; set; }

        public int PersonalMessagesWritten { get; set; }

        public int PersonalMessagesDelivered { get; set; }
    }

    private sealed class Person
    {
        public Dictionary<Guid, Request> Requests { get; } = [];

        public bool IsStopped { get; private set; }

        public bool IsBounced { get; private set; }

        public bool IsErased { get; private set; }

        public DateTimeOffset? PausedUntil { get; private set; }

        public Pace Pace { get; private set; }

        public DateTimeOffset? PaceChosenAt { get; private set; }

        public DateTimeOffset? LastCountedAt { get; private set; }

        public DateTimeOffset? LastConfirmationAt { get; private set; }

        /// <summary>One short confirmation per "not now" that closed something.</summary>
        public int NotNowConfirmationsOwed { get; private set; }

        public void Apply(Entry entry)
        {
            switch (entry)
            {
                case Wrote wrote:
                    var open = !IsStopped && !IsBounced && !IsErased && !(PausedUntil > wrote.At);
                    foreach (var older in Requests.Values.Where(r => r.Open))
                    {
                        older.AutomationEnded = true;
                    }

                    Requests[wrote.RequestId] = new Request { Pace = wrote.Pace, Crisis = wrote.Crisis, WelcomedAtSubmission = open, AwaitingConfirmation = !open };
                    if (open)
                    {
                        Pace = wrote.Pace;
                        PausedUntil = null;
                    }

                    break;
                case Stopped:
                    IsStopped = true;
                    PausedUntil = null;
                    break;
                case Paused paused when !IsStopped && !IsBounced:
                    PausedUntil = paused.Until;
                    break;
                case Resumed when !IsStopped && !IsBounced:
                    PausedUntil = null;
                    break;
                case ChosePace chose:
                    Pace = chose.Pace;
                    PaceChosenAt = chose.At;
                    break;
                case SaidNotNow:
                    var closing = Requests.Values.Where(r => r.Open).ToList();
                    closing.ForEach(r => r.Open = false);
                    NotNowConfirmationsOwed += closing.Count > 0 ? 1 : 0;
                    break;
                case RepliedTo replied:
                    Requests[replied.RequestId].AutomationEnded = true;
                    break;
                case StaffWrote wrote:
                    Requests[wrote.RequestId].PersonalMessagesWritten++;
                    break;
                case StaffClosed closed:
                    Requests[closed.RequestId].Open = false;
                    Requests[closed.RequestId].ClosedByStaff = true;
                    break;
                case Erased:
                    IsErased = true;
                    break;
                case Bounced:
                    IsBounced = true;
                    PausedUntil = null;
                    break;
                case ConfirmedAddress confirmed:
                    IsStopped = IsBounced = false;
                    PausedUntil = null;
                    Requests[confirmed.RequestId].AwaitingConfirmation = false;
                    Pace = Requests[confirmed.RequestId].Pace;
                    break;
            }
        }

        public void Received(Delivered message)
        {
            if (message.RequestId is not { } id || !Requests.TryGetValue(id, out var request))
            {
                return;
            }

            switch (message.Kind)
            {
                case MessageKind.Acknowledgement:
                    request.Acknowledged = true;
                    break;
                case MessageKind.AddressConfirmation:
                    LastConfirmationAt = message.At;
                    break;
                case MessageKind.ClosedAtTheirRequest:
                    NotNowConfirmationsOwed--;
                    break;
                case MessageKind.Personal:
                    request.PersonalMessagesDelivered++;
                    LastCountedAt = message.At;
                    break;
                case MessageKind.GentleCheckIn or MessageKind.ScheduledCheckIn or MessageKind.ClosingNote:
                    request.AutomatedDelivered++;
                    LastCountedAt = message.At;
                    if (message.Kind == MessageKind.ClosingNote)
                    {
                        request.ClosingNoteAt = message.At;
                    }

                    break;
            }
        }
    }
}
