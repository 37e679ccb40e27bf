using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Grains.Data;

/// <summary>One "Interested in exploring this in therapy?" submission.</summary>
public sealed class IntakeRequest
{
    public Guid Id { get; set; }

    public Guid ClientId { get; set; }

    public Client? Client { get; set; }

    public IntakeStatus Status { get; set; }

    /// <summary>The pace chosen on this submission (the client's current pace may change later).</summary>
    public Pace Pace { get; set; }

    public PreferredFormat PreferredFormat { get; set; }

    public byte[]? MessageSealed { get; set; }

    /// <summary>Crisis language was found in the message: a human looks at this one first.</summary>
    public bool NeedsPromptAttention { get; set; }

    public DateTime SubmittedAt { get; set; }

    /// <summary>The last contact from either side (submission, a reply, a personal message): the pacing clock.</summary>
    public DateTime LastContactAt { get; set; }

    /// <summary>Set when automated follow-ups must not continue (a reply, "not now", a human is needed): why, as a code.</summary>
    public string? AutomationStoppedReason { get; set; }

    /// <summary>Sent with the address of someone who had said stop (or paused): nothing goes but the address confirmation until its owner confirms.</summary>
    public bool AwaitingAddressConfirmation { get; set; }

    /// <summary>The name given with this request (sealed); it becomes the client's once contact is open or confirmed.</summary>
    public byte[]? NameSealed { get; set; }

    /// <summary>The phone number given with this request (sealed).</summary>
    public byte[]? PhoneSealed { get; set; }

    /// <summary>The IANA zone given with this request.</summary>
    public string TimeZone { get; set; } = "";

    /// <summary>SHA-256 of the caller's Idempotency-Key, when one was sent; unique.</summary>
    public byte[]? IdempotencyKeyHash { get; set; }

    /// <summary>Keyed hash of the submitted form, to tell a true retry from a reused key.</summary>
    public byte[]? RequestFingerprint { get; set; }

    /// <summary>The therapist this request is with; null while it waits in the unassigned pool.</summary>
    public Guid? AssignedTherapistId { get; set; }

    public CloseReason? ClosedReason { get; set; }

    public DateTime? ClosedAt { get; set; }

    public uint Version { get; set; }

    public List<IntakeEvent> Events { get; } = [];
}
