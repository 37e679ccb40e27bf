namespace PracticeBackend.Domain.Messages;

/// <summary>A message that left planning: it went out, may have (sending, uncertain), or failed for good.</summary>
/// <param name="RequestId">The request it was about, if any.</param>
/// <param name="At">When it went (or was claimed, or last tried).</param>
/// <param name="ReachedThem">False only for a message that failed for good: it moves a sequence on but counts toward no cap.</param>
public sealed record PastMessage(Guid? RequestId, MessageKind Kind, DateTimeOffset At, bool ReachedThem = true);

/// <summary>A planned message, as planning and the send job see it.</summary>
/// <param name="CreatedAt">When the command that planned it ran; messages other than follow-ups are not due before this.</param>
/// <param name="RetryAt">Not before this, after a transient failure (retry backoff).</param>
/// <param name="DueAt">The time planning last chose.</param>
/// <param name="DueRule">Which rule chose <paramref name="DueAt"/> (one of <see cref="TimingRules"/>).</param>
public sealed record PendingMessage(
    Guid Id,
    Guid? RequestId,
    MessageKind Kind,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RetryAt,
    DateTimeOffset DueAt,
    string? DueRule,
    DateTimeOffset? SessionStartsAt = null)
{
    /// <summary>The session it is about, still on (a planned message about a session that was cancelled or moved is cancelled).</summary>
    public Session? Session => SessionStartsAt is { } start ? new Session(start, StillOn: true) : null;
}

/// <summary>What <see cref="Delivery"/> decides for one message.</summary>
public abstract record DeliveryDecision;

/// <summary>Send at <paramref name="At"/> (UTC); <paramref name="Rule"/> says which rule chose that time.</summary>
public sealed record SendAt(DateTimeOffset At, string Rule) : DeliveryDecision;

/// <summary>Never send it; <paramref name="Reason"/> is one of <see cref="HoldReasons"/>.</summary>
public sealed record DoNotSend(string Reason) : DeliveryDecision;

/// <summary>Which rule chose a message's time. Stored with each planned row and shown to staff, so never renamed.</summary>
public static class TimingRules
{
    public const string AtOnce = "at-once";
    public const string InSendWindow = "in-send-window";
    public const string NextSendWindow = "next-send-window";
    public const string CheckInAfterLastContact = "check-in-after-last-contact";
    public const string ClosingNoteAfterLastContact = "closing-note-after-last-contact";
    public const string CheckInOnChosenDate = "check-in-on-chosen-date";
    public const string WeeklySpacing = "weekly-spacing";
    public const string PauseEnds = "pause-ends";
    public const string RetryBackoff = "retry-backoff";
    public const string SessionWithin48Hours = "session-within-48-hours";
    public const string ReminderWindow = "reminder-window";
}

/// <summary>Why a message will not go. Stored with cancelled rows and shown to staff, so never renamed.</summary>
public static class HoldReasons
{
    public const string Erased = "erased";
    public const string Stopped = "stopped";
    public const string Bounced = "bounced";
    public const string PausedIndefinitely = "paused-indefinitely";

    /// <summary>The person paused before it went, and it would be stale by the pause's end.</summary>
    public const string Paused = "paused";
    public const string Closed = "closed";
    public const string Booked = "booked";
    public const string AwaitingAddressConfirmation = "awaiting-address-confirmation";
    public const string HardCap = "hard-cap";
    public const string SentRecently = "sent-recently";
    public const string PersonWillReachOut = "person-will-reach-out";
    public const string SequenceComplete = "sequence-complete";
    public const string Superseded = "superseded";
    public const string NoReminderWindow = "no-reminder-window";
    public const string SessionNotOn = "session-not-on";

    /// <summary>The offer's hold ended before its message could go (a pause, say): the times are gone, so is the message.</summary>
    public const string OfferLapsed = "offer-lapsed";

    /// <summary>The person turned session reminders off.</summary>
    public const string RemindersOff = "reminders-off";
}
