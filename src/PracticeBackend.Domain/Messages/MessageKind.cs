namespace PracticeBackend.Domain.Messages;

/// <summary>
/// One distinct message: each kind has one template, and follows one row of DESIGN.md's table
/// "Every kind of message" (<see cref="MessageRules"/>). Stored by name, so never renamed.
/// </summary>
public enum MessageKind
{
    Acknowledgement = 1,
    GentleCheckIn = 2,
    ClosingNote = 3,
    ScheduledCheckIn = 4,

    /// <summary>The outcome of a request staff closed (no silent declines).</summary>
    Outcome = 5,

    Personal = 6,

    /// <summary>"A stopped address writes again": the one message that may go to an address whose owner said stop.</summary>
    AddressConfirmation = 7,

    /// <summary>Confirms the person's own "not now": their request is closed, nothing more follows.</summary>
    ClosedAtTheirRequest = 8,

    /// <summary>To the practice's on-duty address: a request with crisis language needs a prompt look. No PHI.</summary>
    StaffCrisisAlert = 9,

    /// <summary>To the practice's on-duty address: how many requests wait for a first human reply, and for how long. No PHI.</summary>
    StaffWaitingNote = 10,

    /// <summary>A few times held for the person, with one link to pick one, say none work, or say not now.</summary>
    OfferOfTimes = 11,

    /// <summary>Nobody answered an offer before its hold ended: the times were released; write whenever you like.</summary>
    ReleasedHold = 12,

    /// <summary>Confirms the time the person picked, with the calendar invite.</summary>
    BookingConfirmed = 13,

    /// <summary>Confirms the person's "none of these work": the therapist will look for other times.</summary>
    OtherTimesAsked = 14,

    /// <summary>To the therapist: a person answered their offer (picked, or asked for other times). No PHI.</summary>
    TherapistOfferAnswer = 15,

    /// <summary>Staff booked a session for the person, with the calendar invite.</summary>
    SessionBooked = 16,

    /// <summary>Staff moved the person's session, with the updated invite.</summary>
    SessionMoved = 17,

    /// <summary>Staff cancelled the person's session: a calm note, the CANCEL invite, and a way to pick again.</summary>
    SessionCancelled = 18,

    /// <summary>One reminder before a session (the person may turn reminders off).</summary>
    SessionReminder = 19,

    /// <summary>Confirms the person's own cancellation, with the CANCEL invite.</summary>
    CancelledAtTheirRequest = 20,

    /// <summary>Confirms the person's request for another time: the session stands until staff move it.</summary>
    AnotherTimeAsked = 21,

    /// <summary>To the therapist: a person cancelled, or asked for another time. No PHI.</summary>
    TherapistSessionNote = 22,
}

public static class MessageKinds
{
    private static readonly Dictionary<MessageKind, string> WireNames = new()
    {
        [MessageKind.Acknowledgement] = "acknowledgement",
        [MessageKind.GentleCheckIn] = "gentle-check-in",
        [MessageKind.ClosingNote] = "closing-note",
        [MessageKind.ScheduledCheckIn] = "scheduled-check-in",
        [MessageKind.Outcome] = "outcome",
        [MessageKind.Personal] = "personal",
        [MessageKind.AddressConfirmation] = "address-confirmation",
        [MessageKind.ClosedAtTheirRequest] = "closed-at-their-request",
        [MessageKind.StaffCrisisAlert] = "staff-crisis-alert",
        [MessageKind.StaffWaitingNote] = "staff-waiting-note",
        [MessageKind.OfferOfTimes] = "offer-of-times",
        [MessageKind.ReleasedHold] = "released-hold",
        [MessageKind.BookingConfirmed] = "booking-confirmed",
        [MessageKind.OtherTimesAsked] = "other-times-asked",
        [MessageKind.TherapistOfferAnswer] = "therapist-offer-answer",
        [MessageKind.SessionBooked] = "session-booked",
        [MessageKind.SessionMoved] = "session-moved",
        [MessageKind.SessionCancelled] = "session-cancelled",
        [MessageKind.SessionReminder] = "session-reminder",
        [MessageKind.CancelledAtTheirRequest] = "cancelled-at-their-request",
        [MessageKind.AnotherTimeAsked] = "another-time-asked",
        [MessageKind.TherapistSessionNote] = "therapist-session-note",
    };

    /// <summary>Which row of the table this kind follows.</summary>
    public static MessageRow Row(this MessageKind kind) => kind switch
    {
        MessageKind.Acknowledgement => MessageRow.Acknowledgement,
        MessageKind.AddressConfirmation => MessageRow.AddressConfirmation,
        MessageKind.GentleCheckIn or MessageKind.ClosingNote or MessageKind.ScheduledCheckIn => MessageRow.AutomatedFollowUp,
        MessageKind.Personal => MessageRow.PersonalMessage,
        MessageKind.Outcome => MessageRow.OutcomeOfStaffClose,
        MessageKind.ClosedAtTheirRequest or MessageKind.BookingConfirmed or MessageKind.OtherTimesAsked
            or MessageKind.CancelledAtTheirRequest or MessageKind.AnotherTimeAsked => MessageRow.PersonsOwnAction,
        MessageKind.SessionBooked or MessageKind.SessionMoved or MessageKind.SessionCancelled => MessageRow.BookingChangeByStaff,
        MessageKind.SessionReminder => MessageRow.SessionReminder,
        MessageKind.OfferOfTimes => MessageRow.OfferOfTimes,
        MessageKind.ReleasedHold => MessageRow.ReleasedHold,
        MessageKind.StaffCrisisAlert or MessageKind.StaffWaitingNote or MessageKind.TherapistOfferAnswer or MessageKind.TherapistSessionNote => MessageRow.StaffNotice,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown message kind."),
    };

    public static MessageRule Rule(this MessageKind kind) => MessageRules.For(kind.Row());

    public static bool IsAutomatedFollowUp(this MessageKind kind) => kind.Row() == MessageRow.AutomatedFollowUp;

    /// <summary>Goes to the practice's staff, not to the person.</summary>
    public static bool IsForStaff(this MessageKind kind) => kind.Row() == MessageRow.StaffNotice;

    public static string ToWire(this MessageKind kind) =>
        WireNames.TryGetValue(kind, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown message kind.");
}
