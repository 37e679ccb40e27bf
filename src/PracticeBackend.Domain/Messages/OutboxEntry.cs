using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Domain.Messages;

public enum MessageStatus
{
    Planned = 1,
    Sending = 2,
    Sent = 3,

    /// <summary>The send may or may not have reached the server (failure after DATA began, or a crash): never resent automatically.</summary>
    Uncertain = 4,

    Cancelled = 5,

    /// <summary>Gave up: a permanent rejection, or transient failures for longer than the retry budget.</summary>
    Failed = 6,
}

/// <summary>One message to one person (or, for staff notices, about them), from planning to its outcome.</summary>
public sealed class OutboxEntry
{
    public required Guid Id { get; init; }

    public Guid? RequestId { get; init; }

    public required MessageKind Kind { get; init; }

    /// <summary>What the message is about beyond its request: the offer of times, or the appointment.</summary>
    public Guid? SubjectId { get; init; }

    /// <summary>For a message about an appointment: the appointment's sequence it describes (a move is a new one).</summary>
    public int? SubjectSequence { get; init; }

    /// <summary>For a message about an appointment: when the session starts (its timing may depend on it).</summary>
    public DateTimeOffset? SessionStartsAt { get; init; }

    public MessageStatus Status { get; set; } = MessageStatus.Planned;

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Not before this instant; chosen by <see cref="DueRule"/>.</summary>
    public DateTimeOffset DueAt { get; set; }

    public string? DueRule { get; set; }

    /// <summary>After a transient failure: not before this.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? FirstAttemptAt { get; set; }

    public DateTimeOffset? ClaimedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Why it was cancelled, or what the last failure was (a category, never an address or text).</summary>
    public string? StatusReason { get; set; }

    /// <summary>For an outcome message: why the request closed.</summary>
    public CloseReason? OutcomeReason { get; init; }

    public bool IsPlanned => Status == MessageStatus.Planned;

    /// <summary>As history: it went out, may have, or failed for good.</summary>
    public PastMessage? AsPast() => Status switch
    {
        MessageStatus.Sent => new PastMessage(RequestId, Kind, SentAt ?? DueAt),
        MessageStatus.Sending or MessageStatus.Uncertain => new PastMessage(RequestId, Kind, ClaimedAt ?? DueAt),
        MessageStatus.Failed => new PastMessage(RequestId, Kind, ClaimedAt ?? DueAt, ReachedThem: false),
        _ => null,
    };

    public PendingMessage AsPending() => new(Id, RequestId, Kind, CreatedAt, RetryAt, DueAt, DueRule, SessionStartsAt);
}
