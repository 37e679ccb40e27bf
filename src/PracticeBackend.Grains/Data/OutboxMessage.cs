using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Grains.Data;

/// <summary>
/// One email we intend to send, written in the same transaction as the command that planned it.
/// A send job claims it exactly once (<see cref="OutboxStatus.Planned"/> → <see cref="OutboxStatus.Sending"/>),
/// re-checking the person's state under that claim.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    public Guid ClientId { get; set; }

    public Guid? IntakeRequestId { get; set; }

    public MessageKind Kind { get; set; }

    public OutboxStatus Status { get; set; }

    /// <summary>Not before this instant (already moved into the recipient's send window when planned).</summary>
    public DateTime DueAt { get; set; }

    public int Attempts { get; set; }

    public DateTime? FirstAttemptAt { get; set; }

    public DateTime? ClaimedAt { get; set; }

    public DateTime? SentAt { get; set; }

    /// <summary>The SMTP server's reply to our DATA (or the pickup file name).</summary>
    public string? ServerReply { get; set; }

    /// <summary>What went wrong last, as a category (never an address or message text).</summary>
    public string? LastError { get; set; }

    /// <summary>When a send job was last enqueued for this row; null means none is live.</summary>
    public DateTime? JobEnqueuedAt { get; set; }

    public CloseReason? OutcomeReason { get; set; }

    /// <summary>A staff member's own words, for personal messages (sealed like all PHI).</summary>
    public byte[]? BodySealed { get; set; }

    public Guid? AuthorUserId { get; set; }

    public DateTime CreatedAt { get; set; }
}

public enum OutboxStatus
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
