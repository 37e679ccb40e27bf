using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Grains.Therapists;

/// <summary>
/// An availability as it is stored (the therapist row's <c>availability</c> jsonb) and as it crosses grain
/// boundaries: plain strings and numbers, the same spelling as the API's ("monday", "09:00", "2027-03-15").
/// </summary>
[GenerateSerializer, Immutable, Alias("practice.availability")]
public sealed record AvailabilityDocument(
    [property: Id(0)] string TimeZone,
    [property: Id(1)] WeeklyRangeDocument[] Weekly,
    [property: Id(2)] DateOverrideDocument[] Overrides,
    [property: Id(3)] int SessionMinutes,
    [property: Id(4)] int BufferMinutes,
    [property: Id(5)] int MinimumNoticeHours,
    [property: Id(6)] int BookingWindowDays,
    [property: Id(7)] int? DailyCap)
{
    public static readonly LocalTimePattern Clock = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static AvailabilityDocument From(Availability availability) => new(
        availability.TimeZone,
        [.. availability.Weekly.Select(w => new WeeklyRangeDocument(Day(w.Day), Clock.Format(w.Range.Start), Clock.Format(w.Range.End)))],
        [.. availability.Overrides.Select(o => new DateOverrideDocument(
            LocalDatePattern.Iso.Format(o.Date),
            [.. o.Ranges.Select(r => new RangeDocument(Clock.Format(r.Start), Clock.Format(r.End)))]))],
        availability.SessionMinutes,
        availability.BufferMinutes,
        availability.MinimumNoticeHours,
        availability.BookingWindowDays,
        availability.DailyCap);

    /// <summary>The domain's availability; the document's strings were checked where it came in (the API's validator).</summary>
    public Availability ToDomain() => new(
        TimeZone,
        [.. Weekly.Select(w => new WeeklyHours(ParseDay(w.Day)!.Value, new TimeRange(Clock.Parse(w.Start).Value, Clock.Parse(w.End).Value)))],
        [.. Overrides.Select(o => new DateOverride(LocalDatePattern.Iso.Parse(o.Date).Value,
            [.. o.Ranges.Select(r => new TimeRange(Clock.Parse(r.Start).Value, Clock.Parse(r.End).Value))]))],
        SessionMinutes,
        BufferMinutes,
        MinimumNoticeHours,
        BookingWindowDays,
        DailyCap);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AvailabilityDocument? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<AvailabilityDocument>(json, Json);

    public static string Day(IsoDayOfWeek day) => day.ToString().ToLowerInvariant();

    /// <summary>One of the seven names, exactly ("monday" … "sunday"); anything else (numbers, lists) is no day.</summary>
    public static IsoDayOfWeek? ParseDay(string? day) =>
        Enumerable.Range(1, 7).Select(d => (IsoDayOfWeek)d).Cast<IsoDayOfWeek?>().FirstOrDefault(d => Day(d!.Value) == day);
}

[GenerateSerializer, Immutable, Alias("practice.availability-weekly")]
public sealed record WeeklyRangeDocument([property: Id(0)] string Day, [property: Id(1)] string Start, [property: Id(2)] string End);

[GenerateSerializer, Immutable, Alias("practice.availability-override")]
public sealed record DateOverrideDocument([property: Id(0)] string Date, [property: Id(1)] RangeDocument[] Ranges);

[GenerateSerializer, Immutable, Alias("practice.availability-range")]
public sealed record RangeDocument([property: Id(0)] string Start, [property: Id(1)] string End);
