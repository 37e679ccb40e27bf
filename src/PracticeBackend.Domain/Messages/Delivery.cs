using NodaTime;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Messages;

/// <summary>The person's state and history against which a message is judged.</summary>
/// <param name="History">This person's past messages, across all their requests (never the message being judged).</param>
/// <param name="PlannedCounting">
/// When this person's other planned messages that count toward the weekly cap (a personal message waiting
/// for the window, or for a pause to end) are due: an automated one waits 7 days after them too, so the
/// two never go together.
/// </param>
public sealed record DeliveryContext(Contact Contact, IReadOnlyList<PastMessage> History, PacingSettings Settings, DateTimeOffset Now, IReadOnlyList<DateTimeOffset>? PlannedCounting = null);

/// <summary>The session a message is about (reminders and staff booking changes).</summary>
public sealed record Session(DateTimeOffset StartsAt, bool StillOn);

/// <summary>
/// Whether and when one message may go, by its row of <see cref="MessageRules"/> and the person's
/// current state. Planning calls it to choose a time; the send job calls it again under its claim, with
/// whatever changed since: one rule, both places.
/// </summary>
public static class Delivery
{
    private static readonly TimeSpan ReminderLatest = TimeSpan.FromHours(24);
    private static readonly TimeSpan ReminderEarliest = TimeSpan.FromHours(72);
    private static readonly TimeSpan BookingChangeAtOnceWithin = TimeSpan.FromHours(48);

    /// <param name="notBefore">The earliest time the message's own logic allows (planned at, a pace's date, a retry backoff).</param>
    /// <param name="notBeforeRule">The rule behind <paramref name="notBefore"/>, or null when it simply means "as soon as allowed".</param>
    public static DeliveryDecision Decide(
        MessageRule rule,
        RequestState? request,
        DateTimeOffset notBefore,
        string? notBeforeRule,
        DeliveryContext context,
        Session? session = null)
    {
        var (contact, history, settings, now, _) = context;
        if (contact.Erased)
        {
            return new DoNotSend(HoldReasons.Erased);
        }

        var earliest = new Bound(notBefore, notBeforeRule).AtLeast(now, null);
        if (rule.ToThePerson)
        {
            if (Hold(rule, request, context) is { } reason)
            {
                return new DoNotSend(reason);
            }

            if (!rule.GoesAfterStop && contact.StatusAt(now) == ContactStatus.Paused && contact.PausedUntil is { } pauseEnds)
            {
                earliest = earliest.AtLeast(pauseEnds, TimingRules.PauseEnds);
            }

            if (rule.HeldByWeeklyCap && LastCountingTowardWeeklyCap(history, context.PlannedCounting) is { } last)
            {
                earliest = earliest.AtLeast(last + MessageRules.WeeklySpacing, TimingRules.WeeklySpacing);
            }
        }

        var zone = IanaTimeZone.Find(contact.TimeZone);
        return rule.Timing switch
        {
            SendTiming.AtOnce => new SendAt(earliest.At, earliest.Rule ?? TimingRules.AtOnce),
            SendTiming.SendWindow => InWindow(earliest, zone, settings),
            SendTiming.SendWindowUnlessSessionWithin48Hours =>
                Required(session).StartsAt - earliest.At <= BookingChangeAtOnceWithin
                    ? new SendAt(earliest.At, earliest.Rule ?? TimingRules.SessionWithin48Hours)
                    : InWindow(earliest, zone, settings),
            SendTiming.ReminderWindowBeforeSession => Reminder(earliest, Required(session), zone, settings),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Timing, "Unknown timing."),
        };
    }

    /// <summary>Stop, pause without end, the request's state and the caps: reasons a message may never go.</summary>
    private static string? Hold(MessageRule rule, RequestState? request, DeliveryContext context)
    {
        var (contact, history, _, now, _) = context;
        if (!rule.GoesAfterStop)
        {
            switch (contact.StatusAt(now))
            {
                case ContactStatus.Stopped:
                    return HoldReasons.Stopped;
                case ContactStatus.Bounced:
                    return HoldReasons.Bounced;
                case ContactStatus.Paused when contact.PausedUntil is null:
                    return HoldReasons.PausedIndefinitely;
            }
        }

        // Until its owner confirms, nothing automatic answers a request sent with a stopped or paused
        // address; what staff choose to write follows the person's contact state like anything else.
        if (request is { AwaitingAddressConfirmation: true } && (rule.Row is MessageRow.Acknowledgement or MessageRow.AutomatedFollowUp))
        {
            return HoldReasons.AwaitingAddressConfirmation;
        }

        // An offer's times, or their release, mean nothing once the request has ended (closed, or booked otherwise).
        if (rule.Row is MessageRow.OfferOfTimes or MessageRow.ReleasedHold && request is { IsOpen: false })
        {
            return request.Status == IntakeStatus.Booked ? HoldReasons.Booked : HoldReasons.Closed;
        }

        if (rule.DroppedByPause && contact.StatusAt(now) == ContactStatus.Paused)
        {
            return HoldReasons.Paused;
        }

        if (rule.Row == MessageRow.AutomatedFollowUp && (request ?? throw new ArgumentException("A follow-up is about a request.", nameof(request))).WhyNoAutomation is { } why)
        {
            return why;
        }

        if (rule.CountsTowardRequestCap
            && history.Count(m => m.ReachedThem && m.RequestId == request?.Id && m.Kind.Rule().CountsTowardRequestCap) >= MessageRules.AutomatedFollowUpsPerRequest)
        {
            return HoldReasons.HardCap;
        }

        if (rule.OncePer is { } span && history.Any(m => m.ReachedThem && m.Kind.Row() == rule.Row && m.At > now - span))
        {
            return HoldReasons.SentRecently;
        }

        return null;
    }

    private static DateTimeOffset? LastCountingTowardWeeklyCap(IReadOnlyList<PastMessage> history, IReadOnlyList<DateTimeOffset>? planned) =>
        history.Where(m => m.ReachedThem && m.Kind.Rule().CountsTowardWeeklyCap).Select(m => m.At)
            .Concat(planned ?? [])
            .Select(at => (DateTimeOffset?)at)
            .Max();

    private static SendAt InWindow(Bound earliest, DateTimeZone zone, PacingSettings settings)
    {
        var at = SendWindow.Next(earliest.At, zone, settings);
        return at > earliest.At
            ? new SendAt(at, TimingRules.NextSendWindow)
            : new SendAt(at, earliest.Rule ?? TimingRules.InSendWindow);
    }

    /// <summary>
    /// The last send window that ends at least 24 h before the session (a Monday session's reminder goes on
    /// Friday), and not earlier than 72 h before it.
    /// </summary>
    private static DeliveryDecision Reminder(Bound earliest, Session session, DateTimeZone zone, PacingSettings settings)
    {
        if (!session.StillOn)
        {
            return new DoNotSend(HoldReasons.SessionNotOn);
        }

        var window = settings.Gentler();
        var latestEnd = session.StartsAt - ReminderLatest;
        var notBefore = session.StartsAt - ReminderEarliest;
        var day = Instant.FromDateTimeOffset(latestEnd).InZone(zone).Date;
        for (var back = 0; back < 7; back++, day = day.PlusDays(-1))
        {
            if (day.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday)
            {
                continue;
            }

            var opens = zone.AtLeniently(day + LocalTime.FromTimeOnly(window.WindowStart)).ToDateTimeOffset();
            var closes = zone.AtLeniently(day + LocalTime.FromTimeOnly(window.WindowEnd)).ToDateTimeOffset();
            if (closes > latestEnd)
            {
                continue;
            }

            var at = new[] { opens, notBefore, earliest.At }.Max();
            return at < closes ? new SendAt(at, TimingRules.ReminderWindow) : new DoNotSend(HoldReasons.NoReminderWindow);
        }

        return new DoNotSend(HoldReasons.NoReminderWindow);
    }

    private static Session Required(Session? session) =>
        session ?? throw new ArgumentException("This message is about a session; pass it.", nameof(session));

    /// <summary>The latest lower bound so far, and the rule that set it (null: "now").</summary>
    private readonly record struct Bound(DateTimeOffset At, string? Rule)
    {
        public Bound AtLeast(DateTimeOffset at, string? rule) => at > At ? new Bound(at, rule) : this;
    }
}
