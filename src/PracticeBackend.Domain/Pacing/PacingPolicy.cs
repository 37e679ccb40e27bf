using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;

namespace PracticeBackend.Domain.Pacing;

/// <summary>The next automated follow-up a request's pace calls for, and its undelayed time.</summary>
public abstract record FollowUpDecision;

/// <param name="NotBefore">When the pace calls for it; <see cref="Delivery"/> then applies pause, caps and the window.</param>
/// <param name="Rule">Which rule of the pace chose <paramref name="NotBefore"/> (one of <see cref="TimingRules"/>).</param>
public sealed record FollowUpDue(MessageKind Kind, DateTimeOffset NotBefore, string Rule) : FollowUpDecision;

/// <param name="Reason">One of <see cref="HoldReasons"/> or <see cref="AutomationStopReasons"/>.</param>
public sealed record NoFollowUp(string Reason) : FollowUpDecision;

/// <summary>
/// DESIGN.md "Pacing policy": which follow-up a pace calls for next. It only sequences; whether and when
/// the message may go (stop, pause, caps, window) is <see cref="Delivery"/>'s, the same rules the send job
/// applies under its claim.
/// </summary>
public static class PacingPolicy
{
    private const int CheckIn2WeeksDays = 14;
    private const int CheckIn1MonthDays = 30;
    private const int CheckIn3MonthsDays = 90;

    /// <param name="history">The person's past messages; only this request's follow-ups (sent, uncertain or failed) move its sequence on.</param>
    public static FollowUpDecision NextFollowUp(Pace pace, RequestState request, IReadOnlyList<PastMessage> history, PacingSettings settings)
    {
        if (request.WhyNoAutomation is { } reason)
        {
            return new NoFollowUp(reason);
        }

        var gentle = settings.Gentler();
        bool Went(MessageKind kind) => history.Any(m => m.RequestId == request.Id && m.Kind == kind);

        switch (pace)
        {
            case Pace.WhenReady:
                return new NoFollowUp(HoldReasons.PersonWillReachOut);

            case Pace.Gentle when Went(MessageKind.ClosingNote):
                // The closing note promises silence, so nothing follows it even if a check-in never went out.
                return new NoFollowUp(HoldReasons.SequenceComplete);

            case Pace.Gentle when Went(MessageKind.GentleCheckIn):
                return new FollowUpDue(MessageKind.ClosingNote, request.LastContactAt.AddDays(gentle.ClosingNoteAfterDays), TimingRules.ClosingNoteAfterLastContact);

            case Pace.Gentle:
                return new FollowUpDue(MessageKind.GentleCheckIn, request.LastContactAt.AddDays(gentle.CheckInAfterDays), TimingRules.CheckInAfterLastContact);

            case Pace.CheckIn2Weeks or Pace.CheckIn1Month or Pace.CheckIn3Months when Went(MessageKind.ScheduledCheckIn):
                return new NoFollowUp(HoldReasons.SequenceComplete);

            case Pace.CheckIn2Weeks or Pace.CheckIn1Month or Pace.CheckIn3Months:
                return new FollowUpDue(MessageKind.ScheduledCheckIn, request.LastContactAt.AddDays(ScheduledCheckInDays(pace)), TimingRules.CheckInOnChosenDate);

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
}
