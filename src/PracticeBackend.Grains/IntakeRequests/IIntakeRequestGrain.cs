using PracticeBackend.Domain.Intake;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.IntakeRequests;

/// <summary>
/// One intake request, keyed by its id. It receives the submission (and so serialises retries that
/// share an Idempotency-Key, whose hash is the key) and owns every later change of the request's state.
/// </summary>
public interface IIntakeRequestGrain : IGrainWithGuidKey
{
    Task<SubmitIntakeResult> Submit(SubmitIntake command);

    /// <summary>Puts the request with a therapist (admin: anyone; a therapist: only themselves).</summary>
    Task<StaffCommandResult> Assign(AssignIntake command);

    /// <summary>Ends the request with a reason, and plans the one outcome message that says so.</summary>
    Task<StaffCommandResult> Close(CloseIntake command);

    /// <summary>A staff member writes to the person in their own words; automation pauses and its clock restarts.</summary>
    Task<StaffCommandResult> SendPersonalMessage(SendPersonalMessage command);

    /// <summary>The person replied (staff saw it): automated follow-ups end for this request.</summary>
    Task<StaffCommandResult> MarkReplied(MarkReplied command);

    /// <summary>A session was booked for this request (step 2 of a booking, ADR 0001): it is booked and its follow-ups end. Idempotent.</summary>
    Task<StaffCommandResult> MarkBooked(MarkBooked command);
}

[GenerateSerializer, Immutable, Alias("practice.mark-booked")]
public sealed record MarkBooked([property: Id(0)] StaffActor Actor, [property: Id(1)] Guid AppointmentId);

[GenerateSerializer, Immutable, Alias("practice.send-personal-message")]
public sealed record SendPersonalMessage([property: Id(0)] StaffActor Actor, [property: Id(1)] byte[] BodySealed);

[GenerateSerializer, Immutable, Alias("practice.mark-replied")]
public sealed record MarkReplied([property: Id(0)] StaffActor Actor);

[GenerateSerializer, Immutable, Alias("practice.assign-intake")]
public sealed record AssignIntake([property: Id(0)] StaffActor Actor, [property: Id(1)] Guid TherapistId);

[GenerateSerializer, Immutable, Alias("practice.close-intake")]
public sealed record CloseIntake([property: Id(0)] StaffActor Actor, [property: Id(1)] CloseReason Reason);

/// <summary>What a person sent, already sealed: no plaintext PHI crosses a grain boundary.</summary>
[GenerateSerializer, Immutable, Alias("practice.submit-intake")]
public sealed record SubmitIntake(
    [property: Id(0)] SealedContact Contact,
    [property: Id(1)] string TimeZone,
    [property: Id(2)] Pace Pace,
    [property: Id(3)] PreferredFormat PreferredFormat,
    [property: Id(4)] byte[]? MessageSealed,
    [property: Id(5)] bool NeedsPromptAttention,
    [property: Id(6)] string ConsentVersion,
    [property: Id(7)] byte[]? IdempotencyKeyHash,
    [property: Id(8)] byte[] RequestFingerprint);

[GenerateSerializer, Immutable, Alias("practice.sealed-contact")]
public sealed record SealedContact(
    [property: Id(0)] byte[] EmailBlindIndex,
    [property: Id(1)] byte[] EmailSealed,
    [property: Id(2)] byte[]? NameSealed,
    [property: Id(3)] byte[]? PhoneSealed);

public enum SubmitIntakeOutcome
{
    Created = 1,

    /// <summary>The same Idempotency-Key and the same form again: the first answer, nothing new written.</summary>
    Replayed = 2,

    /// <summary>The same Idempotency-Key with a different form.</summary>
    KeyReusedForDifferentRequest = 3,
}

[GenerateSerializer, Immutable, Alias("practice.submit-intake-result")]
public sealed record SubmitIntakeResult(
    [property: Id(0)] SubmitIntakeOutcome Outcome,
    [property: Id(1)] Guid IntakeId,
    [property: Id(2)] IntakeStatus Status,
    [property: Id(3)] Pace Pace);
