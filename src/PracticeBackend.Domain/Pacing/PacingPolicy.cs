using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Domain.Pacing;

/// <summary>
/// Decides a request's next automated follow-up and when it may go out (DESIGN.md "Pacing policy").
/// Pure: the caller supplies the clock (<see cref="PacingInput.Now"/>) and the person's message history.
/// </summary>
public static class PacingPolicy
{
    public const int HardCapPerRequest = 3;

    public static readonly TimeSpan NonTransactionalSpacing = TimeSpan.FromDays(7);

    private const int CheckIn2WeeksDays = 14;
    private const int CheckIn1MonthDays = 30;
    private const int CheckIn3MonthsDays = 90;

    public static PacingDecision NextFollowUp(PacingInput input)
    {
        var zone = FindZone(input.RecipientTimeZone);
        var settings = input.Settings.Gentler();

        if (StopReason(input) is { } reason)
        {
            return new PlanNothing(reason);
        }

        var thisRequest = input.History.Where(m => m.IntakeRequestId == input.IntakeRequestId).ToList();
        if (thisRequest.Count(m => m.Kind.IsAutomatedFollowUp()) >= HardCapPerRequest)
        {
            return new PlanNothing(PacingReasons.HardCap);
        }

        if (NextInSequence(input.Pace, thisRequest, input.LastContactAt, settings) is not PlanMessage (var kind, var due))
        {
            return new PlanNothing(SequenceEndReason(input.Pace));
        }

        due = Max(due, input.Now);

        if (input.ContactStatus == ContactStatus.Paused)
        {
            if (input.PausedUntil is not { } pausedUntil)
            {
                return new PlanNothing(PacingReasons.PausedIndefinitely);
            }

            due = Max(due, pausedUntil);
        }

        var lastNonTransactional = input.History.Where(m => m.Kind.IsNonTransactional()).Select(m => (DateTimeOffset?)m.SentAt).Max();
        if (lastNonTransactional is { } lastSent)
        {
            due = Max(due, lastSent + NonTransactionalSpacing);
        }

        return new PlanMessage(kind, NextSendWindow(due, zone, settings));
    }

    /// <summary>
    /// The first instant at or after <paramref name="at"/> that lies inside the send window — weekdays,
    /// WindowStart &lt;= local time &lt; WindowEnd in <paramref name="zone"/> — as UTC. The window is always
    /// <see cref="PacingSettings.Gentler"/>'s, so no caller can send outside the hard limits.
    /// </summary>
    public static DateTimeOffset NextSendWindow(DateTimeOffset at, TimeZoneInfo zone, PacingSettings settings)
    {
        var window = settings.Gentler();
        var instant = at.ToUniversalTime();

        // One pass per skipped day at most; the guard only protects against a broken zone definition.
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
            if (IsInsideWindow(local, window))
            {
                return instant;
            }

            instant = LocalToUtc(NextWindowOpening(local, window), zone, notBefore: instant);
        }

        throw new InvalidOperationException($"No send window found after {at:O} in time zone '{zone.Id}'.");
    }

    private static string? StopReason(PacingInput input) => input switch
    {
        { ContactStatus: ContactStatus.Stopped } => PacingReasons.Stopped,
        { ContactStatus: ContactStatus.Bounced } => PacingReasons.Bounced,
        { RequestStatus: IntakeStatus.Closed } => PacingReasons.Closed,
        { RequestStatus: IntakeStatus.Booked } => PacingReasons.Booked,
        { AutomationStopped: true } => PacingReasons.AutomationStopped,
        _ => null,
    };

    /// <summary>The pace's next follow-up at its undelayed due time, or null when its sequence has run out.</summary>
    private static PlanMessage? NextInSequence(Pace pace, List<PastMessage> thisRequest, DateTimeOffset lastContactAt, PacingSettings settings)
    {
        bool Sent(MessageKind kind) => thisRequest.Any(m => m.Kind == kind);

        switch (pace)
        {
            case Pace.WhenReady:
                return null;

            case Pace.Gentle:
                // The closing note promises silence, so nothing follows it even if a check-in never went out.
                if (Sent(MessageKind.ClosingNote))
                {
                    return null;
                }

                return Sent(MessageKind.GentleCheckIn)
                    ? new PlanMessage(MessageKind.ClosingNote, lastContactAt.AddDays(settings.ClosingNoteAfterDays))
                    : new PlanMessage(MessageKind.GentleCheckIn, lastContactAt.AddDays(settings.CheckInAfterDays));

            case Pace.CheckIn2Weeks or Pace.CheckIn1Month or Pace.CheckIn3Months:
                return Sent(MessageKind.ScheduledCheckIn)
                    ? null
                    : new PlanMessage(MessageKind.ScheduledCheckIn, lastContactAt.AddDays(ScheduledCheckInDays(pace)));

            default:
                throw new ArgumentOutOfRangeException(nameof(pace), pace, "Unknown pace.");
        }
    }

    private static int ScheduledCheckInDays(Pace pace) => pace switch
    {
        Pace.CheckIn2Weeks => CheckIn2WeeksDays,
        Pace.CheckIn1Month => CheckIn1MonthDays,
        Pace.CheckIn3Months => CheckIn3MonthsDays,
        _ => throw new ArgumentOutOfRangeException(nameof(pace), pace, "Not a check-in-on-a-date pace."),
    };

    private static string SequenceEndReason(Pace pace) =>
        pace == Pace.WhenReady ? PacingReasons.PersonWillReachOut : PacingReasons.SequenceComplete;

    private static TimeZoneInfo FindZone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone
            : throw new ArgumentException($"Unknown time zone '{id}'.", nameof(id));

    private static bool IsWeekday(DateOnly date) => date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    private static bool IsInsideWindow(DateTime local, PacingSettings window)
    {
        var time = TimeOnly.FromDateTime(local);
        return IsWeekday(DateOnly.FromDateTime(local)) && time >= window.WindowStart && time < window.WindowEnd;
    }

    /// <summary>The window's start on the first weekday that opens after <paramref name="local"/> (same day if it hasn't opened yet).</summary>
    private static DateTime NextWindowOpening(DateTime local, PacingSettings window)
    {
        var date = DateOnly.FromDateTime(local);
        if (!IsWeekday(date) || TimeOnly.FromDateTime(local) >= window.WindowStart)
        {
            date = date.AddDays(1);
        }

        while (!IsWeekday(date))
        {
            date = date.AddDays(1);
        }

        return date.ToDateTime(window.WindowStart, DateTimeKind.Unspecified);
    }

    /// <summary>
    /// The instant a wall-clock time in <paramref name="zone"/> names: a time skipped by a spring-forward
    /// moves to the end of the gap; a time repeated by a fall-back takes its earlier instant, unless that
    /// lies before <paramref name="notBefore"/>.
    /// </summary>
    private static DateTimeOffset LocalToUtc(DateTime local, TimeZoneInfo zone, DateTimeOffset notBefore)
    {
        if (zone.IsInvalidTime(local))
        {
            local = EndOfGap(local, zone);
        }

        if (zone.IsAmbiguousTime(local))
        {
            var instants = zone.GetAmbiguousTimeOffsets(local)
                .Select(offset => new DateTimeOffset(local, offset).ToUniversalTime())
                .Order()
                .ToList();
            return instants.FirstOrDefault(i => i >= notBefore, instants[^1]);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>The first wall-clock time after the gap <paramref name="invalidLocal"/> falls in, to the tick.</summary>
    private static DateTime EndOfGap(DateTime invalidLocal, TimeZoneInfo zone)
    {
        var invalid = invalidLocal;
        var step = TimeSpan.FromMinutes(1);
        var valid = invalid + step;
        while (zone.IsInvalidTime(valid))
        {
            invalid = valid;
            step *= 2;
            valid = invalid + step;
        }

        while (valid - invalid > TimeSpan.FromTicks(1))
        {
            var middle = invalid + ((valid - invalid) / 2);
            if (zone.IsInvalidTime(middle))
            {
                invalid = middle;
            }
            else
            {
                valid = middle;
            }
        }

        return valid;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
