using PracticeBackend.Grains.IntakeRequests;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Clients;

/// <summary>A person, keyed by client id: the single writer of their record, pace, contact status and consent ledger.</summary>
public interface IClientGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Records a new request from this person in one transaction: the client (created or refreshed),
    /// the request, the consent given with it and the pace chosen.
    /// </summary>
    Task<AcceptIntakeResult> AcceptIntake(AcceptIntake command);

    /// <summary>
    /// Erases what identifies the person: sealed contact details and messages are overwritten, the
    /// blind index replaced by random bytes (so the email no longer finds this row), open requests
    /// closed. Ids, timestamps, consent versions and the audit trail stay, anonymous.
    /// </summary>
    Task<StaffCommandResult> EraseDetails(EraseClient command);

    /// <summary>What the person chose through a link in an email: stop, pause or resume, a new pace, "not now", or "yes, this request was mine".</summary>
    Task<PreferenceResult> ApplyPreference(ApplyPreference command);
}

public enum PreferenceKind
{
    StopEmails = 1,
    Pause = 2,
    ChangePace = 3,
    NotNow = 4,
    Resume = 5,

    /// <summary>The owner of a stopped or paused address confirms that a request sent with it was theirs.</summary>
    ConfirmAddress = 6,
}

[GenerateSerializer, Immutable, Alias("practice.apply-preference")]
public sealed record ApplyPreference(
    [property: Id(0)] PreferenceKind Kind,
    [property: Id(1)] int? PauseDays = null,
    [property: Id(2)] Domain.Intake.Pace? Pace = null,
    [property: Id(3)] Guid? IntakeId = null);

public enum PreferenceOutcome
{
    Applied = 1,
    NotFound = 2,
}

/// <param name="PausedUntil">Set while the person is paused.</param>
/// <param name="Change">What the choice did: applied, nothing to change, or an earlier stop still stands.</param>
[GenerateSerializer, Immutable, Alias("practice.preference-result")]
public sealed record PreferenceResult(
    [property: Id(0)] PreferenceOutcome Outcome,
    [property: Id(1)] DateTimeOffset? PausedUntil,
    [property: Id(2)] Domain.Contacts.ContactChange Change = Domain.Contacts.ContactChange.Unchanged);

[GenerateSerializer, Immutable, Alias("practice.erase-client")]
public sealed record EraseClient([property: Id(0)] StaffActor Actor, [property: Id(1)] string AuditAction);

[GenerateSerializer, Immutable, Alias("practice.accept-intake")]
public sealed record AcceptIntake(
    [property: Id(0)] Guid IntakeId,
    [property: Id(1)] SubmitIntake Submission);

public enum AcceptIntakeOutcome
{
    Accepted = 1,

    /// <summary>Another client record already holds this email (created concurrently): look it up again.</summary>
    EmailBelongsToAnotherClient = 2,

    /// <summary>A request with this id (or Idempotency-Key) is already stored.</summary>
    IntakeAlreadyExists = 3,
}

[GenerateSerializer, Immutable, Alias("practice.accept-intake-result")]
public sealed record AcceptIntakeResult([property: Id(0)] AcceptIntakeOutcome Outcome);
