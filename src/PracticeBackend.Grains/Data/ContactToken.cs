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

    /// <summary>For an offer's link: the offer it answers.</summary>
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

    public static readonly IReadOnlyList<string> All = [Stop, Pause, ChangePace, NotNow, Erase, ConfirmAddress, Offer];
}
