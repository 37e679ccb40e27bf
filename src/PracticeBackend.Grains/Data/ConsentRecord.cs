namespace PracticeBackend.Grains.Data;

/// <summary>
/// The consent ledger: append-only rows proving what the person agreed to (or withdrew), which text
/// version they saw, when, and through which door (GDPR Art. 7(1)).
/// </summary>
public sealed class ConsentRecord
{
    public Guid Id { get; set; }

    public Guid ClientId { get; set; }

    public Guid? IntakeRequestId { get; set; }

    /// <summary>What the consent is for, e.g. <see cref="ConsentPurposes.Contact"/>.</summary>
    public string Purpose { get; set; } = "";

    public bool Granted { get; set; }

    public string TextVersion { get; set; } = "";

    /// <summary>Where it was given, e.g. <see cref="ConsentSources.IntakeForm"/>.</summary>
    public string Source { get; set; } = "";

    public DateTime RecordedAt { get; set; }
}

public static class ConsentPurposes
{
    public const string Contact = "contact";
}

public static class ConsentSources
{
    public const string IntakeForm = "website-intake-form";
    public const string EmailLink = "email-link";
}
