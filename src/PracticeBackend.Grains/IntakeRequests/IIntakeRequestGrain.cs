using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Grains.IntakeRequests;

/// <summary>
/// One intake request, keyed by its id. It receives the submission (and so serialises retries that
/// share an Idempotency-Key, whose hash is the key) and owns every later change of the request's state.
/// </summary>
public interface IIntakeRequestGrain : IGrainWithGuidKey
{
    Task<SubmitIntakeResult> Submit(SubmitIntake command);

    Task<IntakeRequestStatus?> GetStatus();
}

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

/// <summary>What may be said about a request without opening anything sealed.</summary>
[GenerateSerializer, Immutable, Alias("practice.intake-request-status")]
public sealed record IntakeRequestStatus(
    [property: Id(0)] Guid IntakeId,
    [property: Id(1)] IntakeStatus Status,
    [property: Id(2)] Pace Pace,
    [property: Id(3)] DateTimeOffset SubmittedAt);
