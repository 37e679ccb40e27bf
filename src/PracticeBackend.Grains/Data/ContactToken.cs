namespace PracticeBackend.Grains.Data;

/// <summary>
/// A link in an email that lets the person act without logging in. 256 random bits; only the
/// SHA-256 hash is stored; each token does one thing (its purpose).
/// </summary>
public sealed class ContactToken
{
    public Guid Id { get; set; }

    public Guid ClientId { get; set; }

    public Guid? OutboxMessageId { get; set; }

    public string Purpose { get; set; } = "";

    /// <summary>For an offer's or a session's link: the offer, or the appointment, it is about.</summary>
    public Guid? SubjectId { get; set; }

    public byte[] TokenHash { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}

public static class TokenPurposes
{
    public const string Stop = "stop";
    public const string Pause = "pause";
    public const string ChangePace = "change-pace";
    public const string NotNow = "not-now";
    public const string Erase = "erase";

    /// <summary>"Yes, it was me": confirms the request an address confirmation was about (its outbox row names it).</summary>
    public const string ConfirmAddress = "confirm-address";

    /// <summary>Opens an offer of times: pick one, none work, or not now (the token row names the offer).</summary>
    public const string Offer = "offer";

    /// <summary>Opens a booked session: see it as it stands now, cancel it, or ask for another time (the token row names the offer or appointment).</summary>
    public const string Manage = "manage";

    /// <summary>Turns session reminders off (and on again).</summary>
    public const string Reminders = "reminders";

    public static readonly IReadOnlyList<string> All = [Stop, Pause, ChangePace, NotNow, Erase, ConfirmAddress, Offer, Manage, Reminders];
}
