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

    /// <summary>
    /// A staff member acts on one of the person's requests (assign, close, write personally, record a reply).
    /// Need-to-know is decided here, where the request's assignment is, and every attempt is audited.
    /// </summary>
    Task<StaffCommandResult> ChangeRequest(RequestChange command);

    /// <summary>
    /// The send job's last look before a message goes (DESIGN invariants 3 and 4): by the person's state as
    /// it is now, the message is claimed (planned → sending, with its link tokens issued) or deferred or
    /// cancelled. What a claimed message needs to be written comes back sealed.
    /// </summary>
    Task<SendClaim> ClaimToSend(ClaimToSend command);

    /// <summary>What the mail server said about a claimed message; and what follows is planned.</summary>
    Task<RecordedDelivery> RecordDelivery(RecordDelivery command);

    /// <summary>A claim older than the send deadline never finished (its process died): its outcome is unknown.</summary>
    Task MarkClaimAbandoned(MarkClaimAbandoned command);

    /// <summary>A planned message that cannot go for a reason outside the person's state (no recipient configured).</summary>
    Task Withdraw(WithdrawMessage command);

    /// <summary>Step 2 of an offer (ADR 0001): where an offer of times for one of their requests stands now; what the table says follows. Idempotent.</summary>
    Task<StaffCommandResult> TellOffer(OfferNews news);

    /// <summary>Step 2 of a calendar change (ADR 0001): one of their sessions was booked, moved or cancelled; what the table says follows. Idempotent.</summary>
    Task<StaffCommandResult> TellSession(SessionTold told);
}

/// <param name="AnotherTimeAsked">The person asked for another time from their manage link (the session stands).</param>
[GenerateSerializer, Immutable, Alias("practice.session-told")]
public sealed record SessionTold(
    [property: Id(0)] Guid AppointmentId,
    [property: Id(1)] Guid? IntakeId,
    [property: Id(2)] Domain.Messages.SessionChange Change,
    [property: Id(3)] DateTimeOffset StartsAt,
    [property: Id(4)] int Sequence,
    [property: Id(5)] bool ByPerson,
    [property: Id(6)] bool AnotherTimeAsked = false);

[GenerateSerializer, Immutable, Alias("practice.offer-news")]
public sealed record OfferNews([property: Id(0)] Guid IntakeId, [property: Id(1)] Guid OfferId, [property: Id(2)] Domain.Scheduling.OfferStatus Status);

public enum RequestChangeKind
{
    Assign = 1,
    Close = 2,
    WritePersonally = 3,
    MarkReplied = 4,

    /// <summary>A session on a therapist's calendar is for this request (step 2 of a booking, ADR 0001): idempotent.</summary>
    MarkBooked = 5,
}

/// <param name="TherapistId">For <see cref="RequestChangeKind.Assign"/>: known to exist (the caller checked the profile).</param>
/// <param name="BodySealed">For <see cref="RequestChangeKind.WritePersonally"/>: the staff member's words, sealed.</param>
[GenerateSerializer, Immutable, Alias("practice.request-change")]
public sealed record RequestChange(
    [property: Id(0)] StaffActor Actor,
    [property: Id(1)] Guid IntakeId,
    [property: Id(2)] RequestChangeKind Kind,
    [property: Id(3)] Guid? TherapistId = null,
    [property: Id(4)] Domain.Intake.CloseReason? Reason = null,
    [property: Id(5)] byte[]? BodySealed = null);

[GenerateSerializer, Immutable, Alias("practice.claim-to-send")]
public sealed record ClaimToSend([property: Id(0)] Guid MessageId);

public enum SendClaimOutcome
{
    Send = 1,
    Deferred = 2,
    Cancelled = 3,

    /// <summary>Already claimed, sent or cancelled: nothing to do (a second run of the job).</summary>
    NotPlanned = 4,
}

/// <param name="Reason">Why it was deferred (the rule) or cancelled.</param>
/// <param name="Message">For <see cref="SendClaimOutcome.Send"/>: what the message needs to be written.</param>
[GenerateSerializer, Immutable, Alias("practice.send-claim")]
public sealed record SendClaim(
    [property: Id(0)] SendClaimOutcome Outcome,
    [property: Id(1)] string? Reason = null,
    [property: Id(2)] OutgoingMessage? Message = null);

/// <summary>A claimed message, with the person's details still sealed and its one-click links' tokens.</summary>
/// <param name="RequestSubmittedAt">When the request it is about arrived (staff notices say so).</param>
/// <param name="SubjectId">The offer of times it is about, if any.</param>
/// <param name="TimeZone">The person's zone: times in the message are written in it.</param>
[GenerateSerializer, Immutable, Alias("practice.outgoing-message")]
public sealed record OutgoingMessage(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] Guid? RequestId,
    [property: Id(2)] Domain.Messages.MessageKind Kind,
    [property: Id(3)] byte[] EmailSealed,
    [property: Id(4)] byte[]? NameSealed,
    [property: Id(5)] byte[]? BodySealed,
    [property: Id(6)] Guid? AssignedTherapistId,
    [property: Id(7)] Domain.Intake.Pace Pace,
    [property: Id(8)] Domain.Intake.CloseReason? OutcomeReason,
    [property: Id(9)] DateTime? RequestSubmittedAt,
    [property: Id(10)] IssuedLinks? Links,
    [property: Id(11)] Guid? SubjectId = null,
    [property: Id(12)] string? TimeZone = null);

/// <summary>The raw tokens of a message's one-click links (only their hashes are stored).</summary>
[GenerateSerializer, Immutable, Alias("practice.issued-links")]
public sealed record IssuedLinks(
    [property: Id(0)] string Stop,
    [property: Id(1)] string Pause,
    [property: Id(2)] string ChangePace,
    [property: Id(3)] string NotNow,
    [property: Id(4)] string Erase,
    [property: Id(5)] string? ConfirmAddress,
    [property: Id(6)] string? Offer = null,
    [property: Id(7)] string? Manage = null,
    [property: Id(8)] string? Reminders = null);

public enum DeliveryResult
{
    Sent = 1,

    /// <summary>Nothing reached the server's DATA phase: safe to try again later.</summary>
    Transient = 2,

    /// <summary>The server refused for good.</summary>
    Permanent = 3,

    /// <summary>It may have been delivered: never resent automatically.</summary>
    Uncertain = 4,
}

/// <param name="Category">What went wrong, as a category (never an address or text).</param>
/// <param name="RecipientRejected">A permanent refusal of the recipient: the address bounced.</param>
/// <param name="ServerReply">The server's answer to the message content, when sent.</param>
[GenerateSerializer, Immutable, Alias("practice.record-delivery")]
public sealed record RecordDelivery(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] DeliveryResult Result,
    [property: Id(2)] string? Category = null,
    [property: Id(3)] bool RecipientRejected = false,
    [property: Id(4)] string? ServerReply = null);

[GenerateSerializer, Immutable, Alias("practice.recorded-delivery")]
public sealed record RecordedDelivery([property: Id(0)] Domain.Messages.MessageStatus Status);

[GenerateSerializer, Immutable, Alias("practice.mark-claim-abandoned")]
public sealed record MarkClaimAbandoned([property: Id(0)] Guid MessageId, [property: Id(1)] string Reason);

[GenerateSerializer, Immutable, Alias("practice.withdraw-message")]
public sealed record WithdrawMessage([property: Id(0)] Guid MessageId, [property: Id(1)] string Reason);

public enum PreferenceKind
{
    StopEmails = 1,
    Pause = 2,
    ChangePace = 3,
    NotNow = 4,
    Resume = 5,

    /// <summary>The owner of a stopped or paused address confirms that a request sent with it was theirs.</summary>
    ConfirmAddress = 6,

    RemindersOff = 7,
    RemindersOn = 8,
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

/// <param name="ClientIdIsNew">The client id was minted for this call (a first request from the address, as far as the door knows): there is nothing to load.</param>
[GenerateSerializer, Immutable, Alias("practice.accept-intake")]
public sealed record AcceptIntake(
    [property: Id(0)] Guid IntakeId,
    [property: Id(1)] SubmitIntake Submission,
    [property: Id(2)] bool ClientIdIsNew = false);

public enum AcceptIntakeOutcome
{
    Accepted = 1,

    /// <summary>Another client record already holds this email (created concurrently): look it up again.</summary>
    EmailBelongsToAnotherClient = 2,

    /// <summary>A request with this id (or Idempotency-Key) is already stored.</summary>
    IntakeAlreadyExists = 3,
}

/// <param name="Request">The stored request, when accepted or already there: its grain answers repeats from it.</param>
[GenerateSerializer, Immutable, Alias("practice.accept-intake-result")]
public sealed record AcceptIntakeResult([property: Id(0)] AcceptIntakeOutcome Outcome, [property: Id(1)] RequestSummary? Request = null);

/// <summary>What a request's grain keeps of it: whose it is, and what its first answer was.</summary>
[GenerateSerializer, Immutable, Alias("practice.request-summary")]
public sealed record RequestSummary(
    [property: Id(0)] Guid IntakeId,
    [property: Id(1)] Guid ClientId,
    [property: Id(2)] Domain.Intake.IntakeStatus Status,
    [property: Id(3)] Domain.Intake.Pace Pace,
    [property: Id(4)] byte[]? RequestFingerprint,
    [property: Id(5)] bool HasIdempotencyKey);
