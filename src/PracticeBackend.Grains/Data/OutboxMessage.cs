using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Messages;

namespace PracticeBackend.Grains.Data;

/// <summary>
/// One email we intend to send, written in the same transaction as the command that planned it.
/// A send job claims it exactly once (<see cref="MessageStatus.Planned"/> → <see cref="MessageStatus.Sending"/>),
/// re-checking the person's state under that claim. The rules live in <see cref="Correspondence"/>;
/// these are its rows (see <c>Messaging/CorrespondenceRows</c>).
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>The person it is to or about; null only for practice-wide staff notes.</summary>
    public Guid? ClientId { get; set; }

    public Guid? IntakeRequestId { get; set; }

    public MessageKind Kind { get; set; }

    /// <summary>The offer of times or the appointment a message is about.</summary>
    public Guid? SubjectId { get; set; }

    /// <summary>For a message about an appointment: which version of it (its SEQUENCE).</summary>
    public int? SubjectSequence { get; set; }

    /// <summary>For a message about an appointment: when that version starts (reminders and staff notes are timed by it).</summary>
    public DateTime? SessionStartsAt { get; set; }

    public MessageStatus Status { get; set; }

    /// <summary>Not before this instant, as planning last chose it.</summary>
    public DateTime DueAt { get; set; }

    /// <summary>Which rule chose <see cref="DueAt"/> (<see cref="TimingRules"/>): shown to staff with the message.</summary>
    public string? DueRule { get; set; }

    /// <summary>After a transient failure: not before this (the retry backoff survives re-planning).</summary>
    public DateTime? RetryAt { get; set; }

    public int Attempts { get; set; }

    public DateTime? FirstAttemptAt { get; set; }

    public DateTime? ClaimedAt { get; set; }

    public DateTime? SentAt { get; set; }

    /// <summary>The SMTP server's reply to our DATA (or the pickup file name).</summary>
    public string? ServerReply { get; set; }

    /// <summary>Why it was cancelled, or the last failure, as a category (never an address or message text); cleared once it is sent.</summary>
    public string? StatusReason { get; set; }

    /// <summary>When a send job was last enqueued for this row; null means none is live.</summary>
    public DateTime? JobEnqueuedAt { get; set; }

    public CloseReason? OutcomeReason { get; set; }

    /// <summary>A staff member's own words, for personal messages (sealed like all PHI).</summary>
    public byte[]? BodySealed { get; set; }

    public Guid? AuthorUserId { get; set; }

    public DateTime CreatedAt { get; set; }
}
