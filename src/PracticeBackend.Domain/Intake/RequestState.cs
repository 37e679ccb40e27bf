namespace PracticeBackend.Domain.Intake;

/// <summary>
/// What planning needs to know of one request: where it stands, the pacing clock (the last contact from
/// either side) and whether automation has stepped aside for good. Immutable; each change returns the new state.
/// </summary>
/// <param name="LastContactAt">The latest of: the submission, a personal message from staff, a reply, the person's own pace change or address confirmation.</param>
/// <param name="AutomationStoppedReason">Set when automated follow-ups must never continue for this request (one of <see cref="AutomationStopReasons"/>).</param>
/// <param name="AwaitingAddressConfirmation">Sent with the address of someone who had said stop (or paused): nothing but the address confirmation goes until its owner confirms.</param>
public sealed record RequestState(
    Guid Id,
    IntakeStatus Status,
    DateTimeOffset LastContactAt,
    string? AutomationStoppedReason = null,
    bool AwaitingAddressConfirmation = false)
{
    public bool IsOpen => Status is not (IntakeStatus.Closed or IntakeStatus.Booked);

    /// <summary>Why no automated follow-up may go for this request, or null when one may.</summary>
    public string? WhyNoAutomation => this switch
    {
        { Status: IntakeStatus.Closed } => Messages.HoldReasons.Closed,
        { Status: IntakeStatus.Booked } => Messages.HoldReasons.Booked,
        { AwaitingAddressConfirmation: true } => Messages.HoldReasons.AwaitingAddressConfirmation,
        _ => AutomationStoppedReason,
    };

    /// <summary>The person replied: a conversation between people, so automated follow-ups end for this request.</summary>
    public RequestState Replied(DateTimeOffset now) =>
        this with { LastContactAt = now, AutomationStoppedReason = AutomationStoppedReason ?? AutomationStopReasons.Replied };

    /// <summary>Staff wrote personally: the pacing clock restarts from now (DESIGN.md).</summary>
    public RequestState WrotePersonally(DateTimeOffset now) => this with { LastContactAt = now };

    /// <summary>The person chose a pace just now: the pace counts from their choice, not from their first message.</summary>
    public RequestState PaceChosen(DateTimeOffset now) => IsOpen ? this with { LastContactAt = now } : this;

    /// <summary>"Not now / no thanks": the request closes, and automation with it.</summary>
    public RequestState DeclinedByPerson() => this with
    {
        Status = IntakeStatus.Closed,
        AutomationStoppedReason = AutomationStoppedReason ?? AutomationStopReasons.NotNow,
    };

    public RequestState SupersededByANewerRequest() =>
        this with { AutomationStoppedReason = AutomationStoppedReason ?? AutomationStopReasons.WroteAgain };

    public RequestState ClosedByStaff() => this with { Status = IntakeStatus.Closed };

    /// <summary>A session is booked for it: the request has done its work, and automated follow-ups end.</summary>
    public RequestState Booked() => this with { Status = IntakeStatus.Booked };

    /// <summary>
    /// A person at the practice offered times: a conversation between people, so automated follow-ups end
    /// for this request, and its clock restarts.
    /// </summary>
    public RequestState TimesOffered(DateTimeOffset now) => this with
    {
        Status = IntakeStatus.TimesOffered,
        LastContactAt = now,
        AutomationStoppedReason = AutomationStoppedReason ?? AutomationStopReasons.TimesOffered,
    };

    /// <summary>The offer ended without a booking (none worked, or nobody answered): the request is with its therapist again.</summary>
    public RequestState BackWithTherapist() => Status == IntakeStatus.TimesOffered ? this with { Status = IntakeStatus.InConversation } : this;

    public RequestState AddressConfirmed(DateTimeOffset now) => this with { AwaitingAddressConfirmation = false, LastContactAt = now };
}

/// <summary>Why automated follow-ups ended for a request. Stored and shown to staff, so never renamed.</summary>
public static class AutomationStopReasons
{
    /// <summary>Crisis language: a human looks first, automation never answers it with check-ins.</summary>
    public const string NeedsAHuman = "needs-a-human";
    public const string NotNow = "not-now";
    public const string Replied = "replied";

    /// <summary>Staff offered times: what follows is between people, and the offer's own answers.</summary>
    public const string TimesOffered = "times-offered";

    /// <summary>The person wrote a newer request: its pace is the one we follow.</summary>
    public const string WroteAgain = "wrote-again";
}
