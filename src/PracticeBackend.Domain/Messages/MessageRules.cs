namespace PracticeBackend.Domain.Messages;

/// <summary>The rows of DESIGN.md's table "Every kind of message, and the rules it follows".</summary>
public enum MessageRow
{
    Acknowledgement = 1,
    AddressConfirmation = 2,

    /// <summary>Gentle check-in, closing note, dated check-in.</summary>
    AutomatedFollowUp = 3,

    PersonalMessage = 4,
    OfferOfTimes = 5,
    ReleasedHold = 6,
    OutcomeOfStaffClose = 7,

    /// <summary>Confirmation of a time the person picked; their own cancellation, "not now" or request for another time.</summary>
    PersonsOwnAction = 8,

    /// <summary>A booking made, moved or cancelled by staff.</summary>
    BookingChangeByStaff = 9,

    SessionReminder = 10,

    /// <summary>Not a row of DESIGN's table: mail to the practice's own on-duty address, outside the person's pacing.</summary>
    StaffNotice = 11,
}

/// <summary>When a message of a row may go.</summary>
public enum SendTiming
{
    /// <summary>As soon as it is planned: it answers what someone just did.</summary>
    AtOnce = 1,

    /// <summary>09:00–19:00 on weekdays in the recipient's zone; due outside, it waits for the next window.</summary>
    SendWindow = 2,

    /// <summary>The send window, or at once when the session is within 48 hours.</summary>
    SendWindowUnlessSessionWithin48Hours = 3,

    /// <summary>In the last send window that ends at least 24 h before the session and starts at most 72 h before it.</summary>
    ReminderWindowBeforeSession = 4,
}

/// <param name="Row">The table row.</param>
/// <param name="Timing">When it goes.</param>
/// <param name="CountsTowardWeeklyCap">Counts toward "at most 1 non-transactional message per person per 7 days".</param>
/// <param name="HeldByWeeklyCap">Waits until 7 days after the last message that counts toward that cap.</param>
/// <param name="CountsTowardRequestCap">Counts toward (and is refused beyond) 3 automated follow-ups per request, ever.</param>
/// <param name="GoesAfterStop">May go to a person who said stop (or paused, until the pause ends) or whose address bounced.</param>
/// <param name="OncePer">At most one message of this row per person within this span.</param>
/// <param name="ToThePerson">False for staff notices, which the person's stop, pause and caps do not govern.</param>
/// <param name="DroppedByPause">A pause cancels it rather than holding it: an answer to what they did days ago would come out of nowhere.</param>
public sealed record MessageRule(
    MessageRow Row,
    SendTiming Timing,
    bool CountsTowardWeeklyCap,
    bool HeldByWeeklyCap,
    bool CountsTowardRequestCap,
    bool GoesAfterStop,
    TimeSpan? OncePer = null,
    bool ToThePerson = true,
    bool DroppedByPause = false);

/// <summary>
/// DESIGN.md's table "Every kind of message", as data: the one place the code decides which messages go at
/// once, which wait for the window, which count toward the caps and which may go after a stop.
/// <see cref="Delivery"/> applies it, both when a message is planned and under the send job's claim.
/// </summary>
public static class MessageRules
{
    public const int AutomatedFollowUpsPerRequest = 3;

    public static readonly TimeSpan WeeklySpacing = TimeSpan.FromDays(7);

    public static readonly TimeSpan AddressConfirmationSpacing = TimeSpan.FromDays(30);

    private static readonly Dictionary<MessageRow, MessageRule> Table = new MessageRule[]
    {
        new(MessageRow.Acknowledgement, SendTiming.AtOnce, false, false, false, GoesAfterStop: false, DroppedByPause: true),
        new(MessageRow.AddressConfirmation, SendTiming.AtOnce, false, false, false, GoesAfterStop: true, OncePer: AddressConfirmationSpacing),
        new(MessageRow.AutomatedFollowUp, SendTiming.SendWindow, true, true, true, GoesAfterStop: false),
        new(MessageRow.PersonalMessage, SendTiming.SendWindow, true, false, false, GoesAfterStop: false),
        new(MessageRow.OfferOfTimes, SendTiming.SendWindow, false, false, false, GoesAfterStop: false),
        new(MessageRow.ReleasedHold, SendTiming.SendWindow, false, false, false, GoesAfterStop: false),
        new(MessageRow.OutcomeOfStaffClose, SendTiming.SendWindow, false, false, false, GoesAfterStop: false),
        new(MessageRow.PersonsOwnAction, SendTiming.AtOnce, false, false, false, GoesAfterStop: true),
        new(MessageRow.BookingChangeByStaff, SendTiming.SendWindowUnlessSessionWithin48Hours, false, false, false, GoesAfterStop: true),
        new(MessageRow.SessionReminder, SendTiming.ReminderWindowBeforeSession, false, false, false, GoesAfterStop: false),
        new(MessageRow.StaffNotice, SendTiming.AtOnce, false, false, false, GoesAfterStop: true, ToThePerson: false),
    }.ToDictionary(rule => rule.Row);

    public static IReadOnlyCollection<MessageRule> All => Table.Values;

    public static MessageRule For(MessageRow row) =>
        Table.TryGetValue(row, out var rule) ? rule : throw new ArgumentOutOfRangeException(nameof(row), row, "No rule for this row.");
}
