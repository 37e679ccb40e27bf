using CsCheck;
using NodaTime;
using NodaTime.Text;
using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Domain.Tests;

/// <summary>
/// Open times from an availability: whole sessions inside working hours in the therapist's zone, on the
/// days the clocks change too, clear of every busy interval by the buffer, within notice, window and cap.
/// </summary>
public sealed class SlotsTests
{
    private static readonly LocalTimePattern Clock = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    [Fact]
    public void AnOrdinaryMorning_GivesSessionsAnHourApart()
    {
        var monday = Works("America/New_York", IsoDayOfWeek.Monday, "09:00", "12:00");

        Assert.Equal(["2027-03-15T13:00:00Z", "2027-03-15T14:00:00Z", "2027-03-15T15:00:00Z"], OpenOn(monday, "2027-03-15"));
    }

    [Fact]
    public void SpringForwardInNewYork_NoSessionStartsInTheSkippedHour_AndEachLastsItsFullLength()
    {
        // 2027-03-14: 02:00 EST becomes 03:00 EDT. Local 01:00–05:00 is three hours long that night.
        var sunday = Works("America/New_York", IsoDayOfWeek.Sunday, "01:00", "05:00");

        Assert.Equal(["2027-03-14T06:00:00Z", "2027-03-14T07:00:00Z", "2027-03-14T08:00:00Z"], OpenOn(sunday, "2027-03-14"));
    }

    [Fact]
    public void FallBackInNewYork_TheRepeatedHourIsWorkedToo()
    {
        // 2027-11-07: 02:00 EDT becomes 01:00 EST. Local 00:00–03:00 is four hours long that night.
        var sunday = Works("America/New_York", IsoDayOfWeek.Sunday, "00:00", "03:00");

        Assert.Equal(["2027-11-07T04:00:00Z", "2027-11-07T05:00:00Z", "2027-11-07T06:00:00Z", "2027-11-07T07:00:00Z"], OpenOn(sunday, "2027-11-07"));
    }

    [Fact]
    public void SpringForwardInLondon_AShortenedRangeHoldsOnlyTheSessionsThatFit()
    {
        // 2027-03-28: 01:00 GMT becomes 02:00 BST. Local 00:30–03:00 is ninety minutes long.
        var sunday = Works("Europe/London", IsoDayOfWeek.Sunday, "00:30", "03:00");

        Assert.Equal(["2027-03-28T00:30:00Z"], OpenOn(sunday, "2027-03-28"));
    }

    [Fact]
    public void FallBackInLondon_ALengthenedRangeHoldsOneMore()
    {
        // 2027-10-31: 02:00 BST becomes 01:00 GMT. Local 00:30–02:30 is three hours long.
        var sunday = Works("Europe/London", IsoDayOfWeek.Sunday, "00:30", "02:30");

        Assert.Equal(["2027-10-30T23:30:00Z", "2027-10-31T00:30:00Z", "2027-10-31T01:30:00Z"], OpenOn(sunday, "2027-10-31"));
    }

    [Fact]
    public void ABookingKeepsItsBufferFree_ButSessionsThatOnlyTouchTheBufferStayOpen()
    {
        var monday = Works("America/New_York", IsoDayOfWeek.Monday, "09:00", "13:00");
        BusyInterval[] busy = [new(At("2027-03-15T14:05:00Z"), At("2027-03-15T14:55:00Z"))];

        Assert.Equal(["2027-03-15T13:00:00Z", "2027-03-15T16:00:00Z"], OpenOn(monday, "2027-03-15", busy));
    }

    [Fact]
    public void MinimumNoticeAndTheBookingWindow_BoundWhatIsOffered()
    {
        var weekdays = Works("America/New_York", IsoDayOfWeek.Monday, "09:00", "10:00") with
        {
            Weekly = [.. Enumerable.Range(1, 5).Select(d => new WeeklyHours((IsoDayOfWeek)d, new TimeRange(new LocalTime(9, 0), new LocalTime(10, 0))))],
            BookingWindowDays = 3,
        };
        var mondayMorning = At("2027-03-15T12:00:00Z");

        var open = Slots.Open(weekdays, [], mondayMorning, mondayMorning + Duration.FromDays(14), mondayMorning).Select(Text).ToList();

        // Monday's 09:00 is less than 24 hours away; Thursday's is past the 3-day window.
        Assert.Equal(["2027-03-16T13:00:00Z", "2027-03-17T13:00:00Z"], open);
    }

    [Fact]
    public void ADayAtItsCap_OffersNothingMore()
    {
        var monday = Works("America/New_York", IsoDayOfWeek.Monday, "09:00", "13:00") with { DailyCap = 1 };
        BusyInterval[] booked = [new(At("2027-03-15T13:00:00Z"), At("2027-03-15T13:50:00Z"))];
        BusyInterval[] held = [new(At("2027-03-15T13:00:00Z"), At("2027-03-15T13:50:00Z"), Booked: false)];

        Assert.Empty(OpenOn(monday, "2027-03-15", booked));
        Assert.Equal(["2027-03-15T14:00:00Z", "2027-03-15T15:00:00Z", "2027-03-15T16:00:00Z"], OpenOn(monday, "2027-03-15", held));
    }

    [Fact]
    public void ADateOverride_ClosesADay_OrGivesItItsOwnHours()
    {
        var monday = Works("America/New_York", IsoDayOfWeek.Monday, "09:00", "12:00");
        var closed = monday with { Overrides = [new DateOverride(new LocalDate(2027, 3, 15), [])] };
        var short_ = monday with { Overrides = [new DateOverride(new LocalDate(2027, 3, 15), [new TimeRange(new LocalTime(15, 0), new LocalTime(16, 0))])] };

        Assert.Empty(OpenOn(closed, "2027-03-15"));
        Assert.Equal(["2027-03-15T19:00:00Z"], OpenOn(short_, "2027-03-15"));
        Assert.Equal(3, OpenOn(closed, "2027-03-22").Count);
    }

    [Fact]
    public void Problems_NameTheField()
    {
        var wrong = new Availability(
            "Mars/Olympus",
            [
                new(IsoDayOfWeek.Monday, new TimeRange(new LocalTime(9, 0), new LocalTime(12, 0))),
                new(IsoDayOfWeek.Monday, new TimeRange(new LocalTime(11, 0), new LocalTime(13, 0))),
                new(IsoDayOfWeek.Tuesday, new TimeRange(new LocalTime(14, 0), new LocalTime(10, 0))),
            ],
            [new(new LocalDate(2027, 1, 1), []), new(new LocalDate(2027, 1, 1), [])],
            SessionMinutes: 5);

        Assert.Equal(
            ["timeZone", "sessionMinutes", "weekly[1]", "weekly[2].end", "overrides[1].date"],
            wrong.Problems().Select(p => p.Field));
        Assert.Empty(Works("Europe/London", IsoDayOfWeek.Monday, "09:00", "17:00").Problems());
    }

    /// <summary>
    /// Random weekly hours in seven zones, random busy time, two weeks starting anywhere near the spring and
    /// autumn changes: no open slot comes within the buffer of a busy interval, and each lies whole inside one
    /// working range of one local day in the therapist's zone, at least the notice away, inside the booking
    /// window, on a day below its cap.
    /// </summary>
    [Fact]
    public void AnyAvailability_AnyBusyTime_SlotsAreFreeAndInsideWorkingHours()
    {
        string[] zones = ["America/New_York", "Europe/London", "Australia/Sydney", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Auckland", "America/Sao_Paulo"];
        var range = from quarter in Gen.Int[0, 23 * 4] from length in Gen.Int[1, 24 * 4 - quarter] select new TimeRange(LocalTime.Midnight.PlusMinutes(quarter * 15), LocalTime.Midnight.PlusMinutes(Math.Min((quarter + length) * 15, (24 * 60) - 1)));
        var weekly = from day in Gen.Int[1, 7] from r in range select new WeeklyHours((IsoDayOfWeek)day, r);
        var availability =
            from zone in Pick(zones)
            from hours in weekly.Array[0, 10]
            from session in Pick(30, 45, 50, 60, 90)
            from buffer in Pick(0, 5, 10, 15)
            from notice in Gen.Int[0, 48]
            from window in Gen.Int[1, 20]
            from cap in Gen.Int[0, 3]
            select new Availability(zone, Distinct(hours), [], session, buffer, notice, window, cap == 0 ? null : cap);
        var start = from day in Pick(new LocalDate(2027, 3, 7), new LocalDate(2027, 3, 25), new LocalDate(2027, 10, 27), new LocalDate(2027, 11, 3), new LocalDate(2027, 4, 1))
                    from hour in Gen.Int[0, 23]
                    select day.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() + Duration.FromHours(hour);
        var busy = from offsetMinutes in Gen.Int[0, 14 * 24 * 60] from length in Gen.Int[10, 240] from booked in Gen.Bool select (offsetMinutes, length, booked);

        var checkedSlots = 0L;
        Gen.Select(availability, start, busy.Array[0, 12]).Sample((a, from, raw) =>
        {
            var intervals = raw.Select(b => new BusyInterval(from + Duration.FromMinutes(b.offsetMinutes), from + Duration.FromMinutes(b.offsetMinutes + b.length), b.booked)).ToList();
            var to = from + Duration.FromDays(14);
            foreach (var slot in Slots.Open(a, intervals, from, to, from))
            {
                Interlocked.Increment(ref checkedSlots);
                var end = slot + a.Session;
                Assert.DoesNotContain(intervals, b => b.Start < end + a.Buffer && slot - a.Buffer < b.End);
                Assert.True(slot >= from + Duration.FromHours(a.MinimumNoticeHours) && slot < to && slot < from + Duration.FromDays(a.BookingWindowDays));
                if (a.DailyCap is { } cap)
                {
                    var date = slot.InZone(a.Zone).Date;
                    Assert.True(intervals.Count(b => b.Booked && b.Start.InZone(a.Zone).Date == date) < cap, $"{Text(slot)}: its day is at its cap of {cap}");
                }

                // Every minute of the session, on the wall clock of the slot's own day.
                var day = slot.InZone(a.Zone).Date;
                for (var minute = 0; minute < a.SessionMinutes; minute++)
                {
                    var local = (slot + Duration.FromMinutes(minute)).InZone(a.Zone).LocalDateTime;
                    Assert.True(local.Date == day && a.RangesOn(day).Any(r => r.Start <= local.TimeOfDay && local.TimeOfDay < r.End),
                        $"{Text(slot)}: minute {minute} ({local} in {a.TimeZone}) is outside working hours");
                }
            }
        }, iter: 2000);

        // An empty answer would pass every check above: the run must have judged many slots.
        Assert.True(checkedSlots > 10_000, $"only {checkedSlots} slots were judged");
    }

    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static WeeklyHours[] Distinct(WeeklyHours[] hours) =>
        [.. hours.Where((h, i) => !hours.Take(i).Any(o => o.Day == h.Day && o.Range.Overlaps(h.Range)))];

    private static Availability Works(string zone, IsoDayOfWeek day, string start, string end) =>
        new(zone, [new WeeklyHours(day, new TimeRange(Clock.Parse(start).Value, Clock.Parse(end).Value))], []);

    private static List<string> OpenOn(Availability availability, string date, IReadOnlyList<BusyInterval>? busy = null)
    {
        var day = LocalDatePattern.Iso.Parse(date).Value;
        var from = day.AtStartOfDayInZone(availability.Zone).ToInstant() - Duration.FromHours(2);
        var to = day.PlusDays(1).AtStartOfDayInZone(availability.Zone).ToInstant();
        return [.. Slots.Open(availability with { MinimumNoticeHours = 0 }, busy ?? [], from, to, now: from).Where(s => s.InZone(availability.Zone).Date == day).Select(Text)];
    }

    private static Instant At(string text) => InstantPattern.General.Parse(text).Value;

    private static string Text(Instant instant) => InstantPattern.General.Format(instant);
}
