using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Therapists;

/// <summary>A therapist, keyed by therapist id: the single writer of their profile (and, later, their calendar).</summary>
public interface ITherapistGrain : IGrainWithGuidKey
{
    /// <summary>Creates (admin) or updates (admin, or the therapist themselves) the profile.</summary>
    Task<StaffCommandResult> SaveProfile(SaveTherapistProfile command);
}

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
