namespace PracticeBackend.Grains.Data;

/// <summary>The request's timeline as staff see it: what happened, when, by whom (ids only).</summary>
public sealed class IntakeEvent
{
    public long Id { get; set; }

    public Guid IntakeRequestId { get; set; }

    public DateTime At { get; set; }

    public string Kind { get; set; } = "";

    public Guid? ActorUserId { get; set; }

    public Guid? TherapistId { get; set; }

    public string? Detail { get; set; }
}

public static class IntakeEventKinds
{
    public const string Submitted = "submitted";
    public const string Assigned = "assigned";
    public const string Closed = "closed";
    public const string PersonalMessage = "personal-message";
    public const string Replied = "replied";
    public const string Booked = "booked";
    public const string AddressConfirmed = "address-confirmed";
    public const string TimesOffered = "times-offered";
    public const string TimesPicked = "times-picked";
    public const string NoneWork = "none-work";
    public const string NotNowToOffer = "not-now-to-offer";
    public const string OfferLapsed = "offer-lapsed";

    public static string ForOffer(Domain.Scheduling.OfferStatus status) => status switch
    {
        Domain.Scheduling.OfferStatus.Open => TimesOffered,
        Domain.Scheduling.OfferStatus.Picked => TimesPicked,
        Domain.Scheduling.OfferStatus.NoneWork => NoneWork,
        Domain.Scheduling.OfferStatus.NotNow => NotNowToOffer,
        _ => OfferLapsed,
    };
}
