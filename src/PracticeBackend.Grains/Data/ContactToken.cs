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

    public static readonly IReadOnlyList<string> All = [Stop, Pause, ChangePace, NotNow, Erase, ConfirmAddress];
}
