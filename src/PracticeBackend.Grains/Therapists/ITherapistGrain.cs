using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Therapists;

/// <summary>A therapist, keyed by therapist id: the single writer of their profile and availability (and, with bookings, their calendar).</summary>
public interface ITherapistGrain : IGrainWithGuidKey
{
    /// <summary>Creates (admin) or updates (admin, or the therapist themselves) the profile.</summary>
    Task<StaffCommandResult> SaveProfile(SaveTherapistProfile command);

    /// <summary>Replaces when they work (admin, or the therapist themselves; anyone else: not found).</summary>
    Task<StaffCommandResult> SetAvailability(SetAvailability command);

    /// <summary>When they work (nothing worked until they say); null when there is no such therapist.</summary>
    Task<AvailabilityDocument?> GetAvailability();

    /// <summary>The open session starts in [From, To); null when there is no such therapist.</summary>
    Task<OpenSlots?> FindOpenSlots(FindOpenSlots query);
}

[GenerateSerializer, Immutable, Alias("practice.set-availability")]
public sealed record SetAvailability([property: Id(0)] StaffActor Actor, [property: Id(1)] AvailabilityDocument Availability);

[GenerateSerializer, Immutable, Alias("practice.find-open-slots")]
public sealed record FindOpenSlots([property: Id(0)] DateTimeOffset From, [property: Id(1)] DateTimeOffset To);

/// <param name="Starts">Session starts, as UTC instants, in order.</param>
[GenerateSerializer, Immutable, Alias("practice.open-slots")]
public sealed record OpenSlots([property: Id(0)] string TimeZone, [property: Id(1)] int SessionMinutes, [property: Id(2)] DateTimeOffset[] Starts);

[GenerateSerializer, Immutable, Alias("practice.therapist-profile")]
public sealed record TherapistProfile(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string[] Specialties,
    [property: Id(2)] PreferredFormat[] Formats,
    [property: Id(3)] bool AcceptingNewClients,
    [property: Id(4)] string TimeZone);

[GenerateSerializer, Immutable, Alias("practice.save-therapist-profile")]
public sealed record SaveTherapistProfile(
    [property: Id(0)] StaffActor Actor,
    [property: Id(1)] TherapistProfile Profile,
    [property: Id(2)] bool Create);
