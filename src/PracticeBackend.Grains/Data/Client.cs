using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Grains.Data;

/// <summary>A person who wrote in. Contact details are sealed (Data Protection); the email is found by its blind index.</summary>
public sealed class Client
{
    public Guid Id { get; set; }

    /// <summary>HMAC-SHA256 of the normalised email; unique, so one person has one record.</summary>
    public byte[] EmailBlindIndex { get; set; } = [];

    public byte[] EmailSealed { get; set; } = [];

    public byte[]? NameSealed { get; set; }

    public byte[]? PhoneSealed { get; set; }

    /// <summary>IANA zone; the pacing policy's quiet hours are the recipient's.</summary>
    public string TimeZone { get; set; } = "";

    /// <summary>The pace the person chose most recently.</summary>
    public Pace Pace { get; set; }

    public ContactStatus ContactStatus { get; set; }

    /// <summary>While <see cref="ContactStatus"/> is Paused: nothing is sent before this instant.</summary>
    public DateTime? PausedUntil { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The person turned session reminders off.</summary>
    public bool RemindersOff { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>When an admin erased this person's details; the row stays as an anonymous anchor for the audit trail.</summary>
    public DateTime? ErasedAt { get; set; }

    /// <summary>PostgreSQL xmin: another activation that wrote first makes our save fail instead of overwrite.</summary>
    public uint Version { get; set; }

    public List<IntakeRequest> IntakeRequests { get; } = [];

    public List<ConsentRecord> ConsentRecords { get; } = [];
}
