using PracticeBackend.Domain.Intake;
using PracticeBackend.Domain.Scheduling;
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

    /// <summary>Puts a session on their calendar (the therapist their own, admins anyone's), unless another active one is within the buffer.</summary>
    Task<AppointmentResult> Book(BookAppointment command);

    /// <summary>Moves (one atomic move), cancels, completes or marks missed one of their appointments.</summary>
    Task<AppointmentResult> ChangeAppointment(ChangeAppointment command);

    /// <summary>One of their appointments ending in the last 90 days or later; null otherwise.</summary>
    Task<AppointmentView?> GetAppointment(Guid appointmentId);

    /// <summary>Step 3 of a booking (ADR 0001): the request it was booked for now says so. Idempotent.</summary>
    Task MarkRequestBooked(Guid appointmentId);

    /// <summary>Holds 1 to 5 times on their calendar for a request (the therapist their own, admins anyone's), each free of appointments and other holds.</summary>
    Task<OfferResult> MakeOffer(MakeOffer command);

    /// <summary>The person's answer, from their link: pick one of the times (a confirmed appointment), none work, or not now.</summary>
    Task<OfferResult> AnswerOffer(AnswerOffer command);

    /// <summary>Open offers whose hold has ended are lapsed; returns how many.</summary>
    Task<int> LapseOffers();

    /// <summary>Step 3 for an offer: the person's correspondence has been told where it stands (and a pick's request is booked). Idempotent.</summary>
    Task MarkOfferTold(MarkOfferTold command);

    /// <summary>One of their offers made in the last 90 days, or still open; null otherwise.</summary>
    Task<OfferView?> GetOffer(Guid offerId);

    /// <summary>Replaces (a new token's hash) or revokes (null) the secret address of their calendar feed: the therapist themselves, or admins.</summary>
    Task<StaffCommandResult> SetCalendarFeed(SetCalendarFeed command);

    /// <summary>Step 3 of a calendar change: the person's correspondence has heard of this version of the appointment. Idempotent.</summary>
    Task MarkPersonTold(Guid appointmentId, int sequence);
}

[GenerateSerializer, Immutable, Alias("practice.set-calendar-feed")]
public sealed record SetCalendarFeed([property: Id(0)] StaffActor Actor, [property: Id(1)] byte[]? TokenHash);

[GenerateSerializer, Immutable, Alias("practice.make-offer")]
public sealed record MakeOffer(
    [property: Id(0)] StaffActor Actor,
    [property: Id(1)] Guid OfferId,
    [property: Id(2)] Guid ClientId,
    [property: Id(3)] Guid IntakeId,
    [property: Id(4)] SessionFormat Format,
    [property: Id(5)] DateTimeOffset[] Starts,
    [property: Id(6)] DateTimeOffset LapsesAt);

/// <param name="Answer">Picked (with <see cref="Start"/>), NoneWork (with <see cref="Usually"/>) or NotNow.</param>
[GenerateSerializer, Immutable, Alias("practice.answer-offer")]
public sealed record AnswerOffer(
    [property: Id(0)] Guid OfferId,
    [property: Id(1)] OfferStatus Answer,
    [property: Id(2)] DateTimeOffset? Start = null,
    [property: Id(3)] string[]? Usually = null);

/// <param name="Status">The status the person's correspondence was told of: a later change is told again.</param>
[GenerateSerializer, Immutable, Alias("practice.mark-offer-told")]
public sealed record MarkOfferTold([property: Id(0)] Guid OfferId, [property: Id(1)] OfferStatus Status);

public enum OfferOutcome
{
    Done = 1,

    /// <summary>A time is no longer free (to make: one of them; to pick: that one).</summary>
    Taken = 2,

    /// <summary>The request has an open offer already.</summary>
    AlreadyOpen = 3,

    NotFound = 4,

    /// <summary>The hold ended before the answer came: the times were released.</summary>
    Lapsed = 5,

    /// <summary>The person answered already, differently.</summary>
    AnsweredAlready = 6,

    /// <summary>The request is not the therapist's, or the person asked us to stop writing: an offer could not reach them.</summary>
    CannotReachPerson = 7,

    /// <summary>An offered time is not in the future.</summary>
    InThePast = 8,

    /// <summary>The request the offer was for has ended (closed, or booked another way): nothing to answer.</summary>
    RequestEnded = 9,
}

[GenerateSerializer, Immutable, Alias("practice.offer-view")]
public sealed record OfferView(
    [property: Id(0)] Guid OfferId,
    [property: Id(1)] Guid TherapistId,
    [property: Id(2)] Guid ClientId,
    [property: Id(3)] Guid IntakeId,
    [property: Id(4)] SessionFormat Format,
    [property: Id(5)] DateTimeOffset[] Starts,
    [property: Id(6)] int SessionMinutes,
    [property: Id(7)] OfferStatus Status,
    [property: Id(8)] DateTimeOffset LapsesAt,
    [property: Id(9)] DateTimeOffset? PickedStart,
    [property: Id(10)] Guid? AppointmentId,
    [property: Id(11)] string[] Usually,
    [property: Id(12)] bool PersonTold);

[GenerateSerializer, Immutable, Alias("practice.offer-result")]
public sealed record OfferResult([property: Id(0)] OfferOutcome Outcome, [property: Id(1)] OfferView? Offer = null);

[GenerateSerializer, Immutable, Alias("practice.book-appointment")]
public sealed record BookAppointment(
    [property: Id(0)] StaffActor Actor,
    [property: Id(1)] Guid AppointmentId,
    [property: Id(2)] Guid ClientId,
    [property: Id(3)] Guid? IntakeId,
    [property: Id(4)] DateTimeOffset Start,
    [property: Id(5)] SessionFormat Format);

public enum AppointmentChangeKind
{
    Reschedule = 1,
    Cancel = 2,
    Complete = 3,
    NoShow = 4,
}

/// <param name="Start">The new start, for a reschedule.</param>
/// <param name="Reason">A category, for a cancellation.</param>
[GenerateSerializer, Immutable, Alias("practice.change-appointment")]
public sealed record ChangeAppointment(
    [property: Id(0)] StaffActor Actor,
    [property: Id(1)] Guid AppointmentId,
    [property: Id(2)] AppointmentChangeKind Kind,
    [property: Id(3)] DateTimeOffset? Start = null,
    [property: Id(4)] string? Reason = null,
    [property: Id(5)] bool ByPerson = false);

public enum AppointmentOutcome
{
    Done = 1,
    Taken = 2,
    NotFound = 3,
    NotInThisState = 4,

    /// <summary>The appointment id (from an Idempotency-Key) already names a different booking.</summary>
    KeyUsedForAnotherBooking = 5,
}

[GenerateSerializer, Immutable, Alias("practice.appointment-view")]
public sealed record AppointmentView(
    [property: Id(0)] Guid AppointmentId,
    [property: Id(1)] Guid TherapistId,
    [property: Id(2)] Guid ClientId,
    [property: Id(3)] Guid? IntakeId,
    [property: Id(4)] DateTimeOffset Start,
    [property: Id(5)] DateTimeOffset End,
    [property: Id(6)] SessionFormat Format,
    [property: Id(7)] AppointmentStatus Status,
    [property: Id(8)] int Sequence,
    [property: Id(9)] bool ChangedByPerson = false,
    [property: Id(10)] bool PersonTold = true);

[GenerateSerializer, Immutable, Alias("practice.appointment-result")]
public sealed record AppointmentResult([property: Id(0)] AppointmentOutcome Outcome, [property: Id(1)] AppointmentView? Appointment = null);

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
    [property: Id(4)] string TimeZone,
    [property: Id(5)] string? VideoLink = null);

[GenerateSerializer, Immutable, Alias("practice.save-therapist-profile")]
public sealed record SaveTherapistProfile(
    [property: Id(0)] StaffActor Actor,
    [property: Id(1)] TherapistProfile Profile,
    [property: Id(2)] bool Create);
