using NodaTime;
using PracticeBackend.Domain.Contacts;

namespace PracticeBackend.Domain.Scheduling;

/// <summary>A stretch of working time within one local day, in the therapist's zone: [Start, End).</summary>
public sealed record TimeRange(LocalTime Start, LocalTime End)
{
    public bool Overlaps(TimeRange other) => Start < other.End && other.Start < End;
}

/// <summary>Hours worked on one day of every week.</summary>
public sealed record WeeklyHours(IsoDayOfWeek Day, TimeRange Range);

/// <summary>One date that differs from the week: closed (no ranges), or worked in its own ranges.</summary>
public sealed record DateOverride(LocalDate Date, IReadOnlyList<TimeRange> Ranges)
{
    public bool Closed => Ranges.Count == 0;
}

/// <summary>What is wrong with an availability, named by the field as the API spells it ("weekly[2].end").</summary>
public sealed record AvailabilityProblem(string Field, string Message);

/// <summary>
/// When a therapist works, in their IANA zone, and how sessions fit into it. It shapes what is offered to
/// people, not what a therapist may put on their own calendar. Rules are pure: <see cref="Problems"/> says
/// what is wrong with it, <see cref="Slots"/> what it leaves open.
/// </summary>
public sealed record Availability(
    string TimeZone,
    IReadOnlyList<WeeklyHours> Weekly,
    IReadOnlyList<DateOverride> Overrides,
    int SessionMinutes = Availability.DefaultSessionMinutes,
    int BufferMinutes = Availability.DefaultBufferMinutes,
    int MinimumNoticeHours = Availability.DefaultMinimumNoticeHours,
    int BookingWindowDays = Availability.DefaultBookingWindowDays,
    int? DailyCap = null)
{
    public const int DefaultSessionMinutes = 50;
    public const int DefaultBufferMinutes = 10;
    public const int DefaultMinimumNoticeHours = 24;
    public const int DefaultBookingWindowDays = 60;

    /// <summary>Nothing worked yet: a therapist who has not said when they work offers no times.</summary>
    public static Availability None(string timeZone) => new(timeZone, [], []);

    public Duration Session => Duration.FromMinutes(SessionMinutes);

    public Duration Buffer => Duration.FromMinutes(BufferMinutes);

    public DateTimeZone Zone => IanaTimeZone.Find(TimeZone);

    /// <summary>Everything wrong with it, each named by its field; empty when it may be saved.</summary>
    public IReadOnlyList<AvailabilityProblem> Problems()
    {
        var problems = new List<AvailabilityProblem>();
        if (!IanaTimeZone.IsValid(TimeZone))
        {
            problems.Add(new("timeZone", "An IANA time zone such as \"America/New_York\"."));
        }

        Between(problems, "sessionMinutes", SessionMinutes, 15, 240, "A session lasts 15 to 240 minutes.");
        Between(problems, "bufferMinutes", BufferMinutes, 0, 120, "A buffer of 0 to 120 minutes.");
        Between(problems, "minimumNoticeHours", MinimumNoticeHours, 0, 24 * 30, "Minimum notice of 0 to 720 hours.");
        Between(problems, "bookingWindowDays", BookingWindowDays, 1, 365, "A booking window of 1 to 365 days.");
        if (DailyCap is { } cap)
        {
            Between(problems, "dailyCap", cap, 1, 24, "A daily cap of 1 to 24 sessions, or none.");
        }

        for (var i = 0; i < Weekly.Count; i++)
        {
            var hours = Weekly[i];
            RangeProblems(problems, $"weekly[{i}]", hours.Range);
            var clash = Weekly.Take(i).Select((other, j) => (other, j)).FirstOrDefault(o => o.other.Day == hours.Day && o.other.Range.Overlaps(hours.Range));
            if (clash.other is not null)
            {
                problems.Add(new($"weekly[{i}]", $"Overlaps weekly[{clash.j}] on the same day."));
            }
        }

        for (var i = 0; i < Overrides.Count; i++)
        {
            var date = Overrides[i];
            if (Overrides.Take(i).Any(o => o.Date == date.Date))
            {
                problems.Add(new($"overrides[{i}].date", "This date is given twice."));
            }

            for (var r = 0; r < date.Ranges.Count; r++)
            {
                RangeProblems(problems, $"overrides[{i}].ranges[{r}]", date.Ranges[r]);
                if (date.Ranges.Take(r).Any(o => o.Overlaps(date.Ranges[r])))
                {
                    problems.Add(new($"overrides[{i}].ranges[{r}]", "Overlaps another range of the same date."));
                }
            }
        }

        return problems;
    }

    /// <summary>The ranges worked on a local date: its override, or the week's hours for its weekday.</summary>
    public IEnumerable<TimeRange> RangesOn(LocalDate date) =>
        Overrides.FirstOrDefault(o => o.Date == date) is { } special
            ? special.Ranges
            : Weekly.Where(w => w.Day == date.DayOfWeek).Select(w => w.Range);

    private static void RangeProblems(List<AvailabilityProblem> problems, string field, TimeRange range)
    {
        if (range.End <= range.Start)
        {
            problems.Add(new($"{field}.end", "Ends after it starts, on the same day."));
        }
    }

    private static void Between(List<AvailabilityProblem> problems, string field, int value, int min, int max, string message)
    {
        if (value < min || value > max)
        {
            problems.Add(new(field, message));
        }
    }
}
