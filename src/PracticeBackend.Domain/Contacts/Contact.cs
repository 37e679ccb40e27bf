using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Domain.Contacts;

/// <summary>What a person-facing change did.</summary>
public enum ContactChange
{
    Applied = 1,

    /// <summary>Nothing to change: it already was so.</summary>
    Unchanged = 2,

    /// <summary>The person said stop earlier (or the address bounced), and that still stands: a pause or pace change does not reopen contact.</summary>
    StopStands = 3,
}

/// <summary>
/// Whether, how and when we may write to one person: their contact status, pause, pace and time zone.
/// Immutable: each change returns the new contact, so a caller (a grain, a test, a simulation) applies
/// exactly what the rule decided. <see cref="Messages.Delivery"/> reads it for every message.
/// </summary>
/// <param name="TimeZone">IANA zone id; the send window is the recipient's.</param>
/// <param name="PausedUntil">While <see cref="ContactStatus.Paused"/>: nothing but the person's own confirmations goes before this.</param>
/// <param name="RemindersOff">The person turned session reminders off (from a link); everything else is unchanged.</param>
public sealed record Contact(ContactStatus Status, DateTimeOffset? PausedUntil, Pace Pace, string TimeZone, bool Erased = false, bool RemindersOff = false)
{
    public static Contact New(Pace pace, string timeZone) => new(ContactStatus.Open, null, pace, timeZone);

    /// <summary>The status as of <paramref name="now"/>: a pause whose date has passed is over.</summary>
    public ContactStatus StatusAt(DateTimeOffset now) =>
        Status == ContactStatus.Paused && PausedUntil is { } until && until <= now ? ContactStatus.Open : Status;

    public bool IsOpenAt(DateTimeOffset now) => !Erased && StatusAt(now) == ContactStatus.Open;

    /// <summary>Stop means stop: at once, whatever the status was, and only the person can undo it (by confirming from a new request).</summary>
    public Contact Stop() => this with { Status = ContactStatus.Stopped, PausedUntil = null };

    /// <summary>A pause ends on its own date. It never undoes a stop: a pause link in an older email must not reopen contact.</summary>
    public (Contact Contact, ContactChange Change) Pause(DateTimeOffset until, DateTimeOffset now)
    {
        if (Erased || StatusAt(now) is ContactStatus.Stopped or ContactStatus.Bounced)
        {
            return (this, ContactChange.StopStands);
        }

        return (this with { Status = ContactStatus.Paused, PausedUntil = until }, ContactChange.Applied);
    }

    /// <summary>Ends a pause early. A stop stands.</summary>
    public (Contact Contact, ContactChange Change) Resume(DateTimeOffset now) => StatusAt(now) switch
    {
        _ when Erased => (this, ContactChange.StopStands),
        ContactStatus.Paused => (this with { Status = ContactStatus.Open, PausedUntil = null }, ContactChange.Applied),
        ContactStatus.Open => (this with { Status = ContactStatus.Open, PausedUntil = null }, ContactChange.Unchanged),
        _ => (this, ContactChange.StopStands),
    };

    /// <summary>The pace is recorded whatever the status; after a stop it only matters once contact reopens.</summary>
    public (Contact Contact, ContactChange Change) ChangePace(Pace pace, DateTimeOffset now)
    {
        var changed = this with { Pace = pace };
        return Erased || StatusAt(now) is ContactStatus.Stopped or ContactStatus.Bounced
            ? (changed, ContactChange.StopStands)
            : (changed, pace == Pace ? ContactChange.Unchanged : ContactChange.Applied);
    }

    /// <summary>The mail server refused the address for good: we write no more, as after a stop.</summary>
    public Contact Bounce() => Erased ? this : this with { Status = ContactStatus.Bounced, PausedUntil = null };

    public Contact Erase() => this with { Status = ContactStatus.Stopped, PausedUntil = null, Erased = true };

    /// <summary>
    /// Someone writes in with this address. An open contact is the person writing again: their newest words
    /// stand. Anything else ("a stopped address writes again", also while paused or bounced) must first be
    /// confirmed from the address itself: contact and stored details stay as they are until then.
    /// </summary>
    public bool MayTakeNewDetailsAt(DateTimeOffset now) => IsOpenAt(now);

    /// <summary>The owner of the address confirmed a request sent with it: contact reopens with that request's choices.</summary>
    public Contact ConfirmAddress(Pace pace, string timeZone) =>
        Erased ? this : new Contact(ContactStatus.Open, null, pace, timeZone);
}
