using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Domain.Pacing;

/// <summary>A message to the person that went out or may have (sent, sending, or uncertain).</summary>
public sealed record PastMessage(Guid IntakeRequestId, MessageKind Kind, DateTimeOffset SentAt);

/// <summary>Everything the policy needs to decide one request's next automated follow-up.</summary>
/// <param name="LastContactAt">The latest of: the submission, a personal message from staff, a reply from the person.</param>
/// <param name="History">This person's messages that went out or may have, across all their requests.</param>
/// <param name="RecipientTimeZone">IANA zone id of the person; quiet hours are theirs.</param>
public sealed record PacingInput(
    Pace Pace,
    ContactStatus ContactStatus,
    DateTimeOffset? PausedUntil,
    IntakeStatus RequestStatus,
    bool AutomationStopped,
    DateTimeOffset LastContactAt,
    IReadOnlyList<PastMessage> History,
    Guid IntakeRequestId,
    string RecipientTimeZone,
    PacingSettings Settings,
    DateTimeOffset Now);

public abstract record PacingDecision;

/// <summary>Send <paramref name="Kind"/> no earlier than <paramref name="EarliestAt"/> (UTC, inside the recipient's send window).</summary>
public sealed record PlanMessage(MessageKind Kind, DateTimeOffset EarliestAt) : PacingDecision;

/// <summary>Send nothing more for this request; <paramref name="Reason"/> is one of <see cref="PacingReasons"/>.</summary>
public sealed record PlanNothing(string Reason) : PacingDecision;

/// <summary>Stable kebab-case codes for <see cref="PlanNothing.Reason"/>; stored and shown to staff, so never renamed.</summary>
public static class PacingReasons
{
    public const string Stopped = "stopped";
    public const string Bounced = "bounced";
    public const string Closed = "closed";
    public const string Booked = "booked";
    public const string AutomationStopped = "automation-stopped";
    public const string PersonWillReachOut = "person-will-reach-out";
    public const string SequenceComplete = "sequence-complete";
    public const string HardCap = "hard-cap";

    /// <summary>Paused with no end date: nothing can be deferred to, so nothing is planned until the pause changes.</summary>
    public const string PausedIndefinitely = "paused-indefinitely";
}
