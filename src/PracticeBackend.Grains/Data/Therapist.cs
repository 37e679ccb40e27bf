using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Grains.Data;

/// <summary>A therapist's profile. Written only by <c>TherapistGrain</c>.</summary>
public sealed class Therapist
{
    public Guid Id { get; set; }

    public string DisplayName { get; set; } = "";

    public List<string> Specialties { get; set; } = [];

    public List<PreferredFormat> Formats { get; set; } = [];

    public bool AcceptingNewClients { get; set; }

    public string TimeZone { get; set; } = "";

    /// <summary>Where their video sessions happen (an https link), shown in video confirmations and invites.</summary>
    public string? VideoLink { get; set; }

    /// <summary>SHA-256 of the secret in their calendar feed's address; null when there is none (revoked, or never made).</summary>
    public byte[]? CalendarFeedTokenHash { get; set; }

    /// <summary>When they work (<see cref="Therapists.AvailabilityDocument"/> as JSON); null until they have said.</summary>
    public string? Availability { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public uint Version { get; set; }
}
