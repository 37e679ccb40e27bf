using NodaTime;

namespace PracticeBackend.Domain.Scheduling;

/// <summary>Where an offer of times stands. Stored by number, so never renumbered.</summary>
public enum OfferStatus
{
    /// <summary>Its times are held for the person until it lapses.</summary>
    Open = 1,

    /// <summary>The person picked one of the times: it is an appointment now.</summary>
    Picked = 2,

    /// <summary>"None of these work": back to the therapist, with the times the person usually has.</summary>
    NoneWork = 3,

    /// <summary>"Not now": the request closes.</summary>
    NotNow = 4,

    /// <summary>Nobody answered before the hold ended: the times went back, with one quiet note.</summary>
    Lapsed = 5,
}

/// <summary>
/// A few times held for one person's request on one therapist's calendar, until the person answers or
/// the hold lapses. While open, each time is busy for everyone else (a hold, which does not count toward
/// the day's cap); once answered or lapsed, none is.
/// </summary>
/// <param name="Usually">For "none of these work": when the person usually has time (<see cref="UsualTimes"/>), never words of their own.</param>
public sealed record Offer(
    Guid Id,
    Guid RequestId,
    Guid ClientId,
    SessionFormat Format,
    IReadOnlyList<Instant> Starts,
    Duration Session,
    Instant LapsesAt,
    OfferStatus Status = OfferStatus.Open,
    Instant? PickedStart = null,
    Guid? AppointmentId = null,
    IReadOnlyList<string>? Usually = null)
{
    public const int MostTimes = 5;

    /// <summary>Still waiting for the person, and its times still held.</summary>
    public bool IsOpenAt(Instant now) => Status == OfferStatus.Open && now < LapsesAt;

    public IEnumerable<BusyInterval> Holds(Instant now) =>
        IsOpenAt(now) ? Starts.Select(start => new BusyInterval(start, start + Session, Booked: false)) : [];
}

/// <summary>What became of an answer to an offer.</summary>
public enum OfferAnswer
{
    /// <summary>Done: the offer says so now.</summary>
    Done = 1,

    /// <summary>The hold lapsed first: the times were released.</summary>
    Lapsed = 2,

    /// <summary>That time is no longer free (booked over, outside the hold), or was never offered.</summary>
    Taken = 3,

    /// <summary>Answered already, differently.</summary>
    AnsweredAlready = 4,

    NotFound = 5,
}

/// <summary>The times the person may say they usually have, when none of the offered ones work: weekday and part of the day.</summary>
public static class UsualTimes
{
    public static readonly IReadOnlyList<string> Days = ["monday", "tuesday", "wednesday", "thursday", "friday"];

    public static readonly IReadOnlyList<string> Parts = ["morning", "afternoon", "evening"];

    public static readonly IReadOnlyList<string> All = [.. Days.SelectMany(day => Parts.Select(part => $"{day}-{part}"))];

    public static bool IsOne(string? value) => value is not null && All.Contains(value);
}
