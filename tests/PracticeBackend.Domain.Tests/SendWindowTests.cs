using System.Globalization;
using NodaTime;
using NodaTime.TimeZones;
using PracticeBackend.Domain.Contacts;
using PracticeBackend.Domain.Pacing;

namespace PracticeBackend.Domain.Tests;

public sealed class SendWindowTests
{
    private static readonly DateTimeZone NewYork = IanaTimeZone.Find("America/New_York");
    private static readonly DateTimeZone London = IanaTimeZone.Find("Europe/London");
    private static readonly DateTimeZone MorningShift = new MorningShiftZone();

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    private static DateTimeOffset Next(string at, DateTimeZone zone, PacingSettings? settings = null) =>
        SendWindow.Next(At(at), zone, settings ?? PacingSettings.Default);

    // ---- Quiet hours (New York, EDT = UTC-4 in June 2026) ----

    [Theory]
    [InlineData("2026-06-08T09:00:00-04:00")] // Monday, the window's first instant
    [InlineData("2026-06-10T12:34:56-04:00")]
    [InlineData("2026-06-12T18:59:00-04:00")] // Friday, the window's last minute
    [InlineData("2026-06-12T18:59:59.9999999-04:00")]
    public void NextSendWindow_ReturnsTheSameInstant_WhenInsideTheWindow(string at) =>
        Assert.Equal(At(at), Next(at, NewYork));

    [Theory]
    [InlineData("2026-06-13T22:00:00-04:00", "2026-06-15T09:00:00-04:00")] // Saturday 22:00 → Monday 09:00
    [InlineData("2026-06-13T10:00:00-04:00", "2026-06-15T09:00:00-04:00")] // Saturday midday → Monday
    [InlineData("2026-06-14T23:59:59-04:00", "2026-06-15T09:00:00-04:00")] // Sunday night → Monday
    [InlineData("2026-06-12T19:30:00-04:00", "2026-06-15T09:00:00-04:00")] // Friday 19:30 → Monday 09:00
    [InlineData("2026-06-12T19:00:00-04:00", "2026-06-15T09:00:00-04:00")] // Friday 19:00 (end is exclusive) → Monday
    [InlineData("2026-06-10T19:00:00-04:00", "2026-06-11T09:00:00-04:00")] // Wednesday 19:00 → Thursday 09:00
    [InlineData("2026-06-10T23:30:00-04:00", "2026-06-11T09:00:00-04:00")]
    [InlineData("2026-06-11T00:00:00-04:00", "2026-06-11T09:00:00-04:00")] // midnight → same morning
    [InlineData("2026-06-11T08:59:59-04:00", "2026-06-11T09:00:00-04:00")]
    public void NextSendWindow_WaitsForTheNextWeekdayMorning_WhenOutsideTheWindow(string at, string expected) =>
        Assert.Equal(At(expected), Next(at, NewYork));

    [Fact]
    public void NextSendWindow_ReadsTheClockInTheRecipientsZone_NotTheOffsetOfTheInput()
    {
        // 10:00 in Tokyo on Monday is Sunday 21:00 in New York.
        Assert.Equal(At("2026-06-15T09:00:00-04:00"), Next("2026-06-15T10:00:00+09:00", NewYork));
    }

    [Theory]
    [InlineData("2026-06-13T22:00:00-04:00")]
    [InlineData("2026-06-10T12:00:00-04:00")]
    public void NextSendWindow_ReturnsUtc(string at) => Assert.Equal(TimeSpan.Zero, Next(at, NewYork).Offset);

    // ---- Practice windows ----

    [Theory]
    [InlineData("2026-06-10T09:30:00-04:00", "2026-06-10T10:00:00-04:00")]
    [InlineData("2026-06-10T16:00:00-04:00", "2026-06-11T10:00:00-04:00")]
    [InlineData("2026-06-10T15:59:00-04:00", "2026-06-10T15:59:00-04:00")]
    public void NextSendWindow_HonoursANarrowerWindow(string at, string expected) =>
        Assert.Equal(At(expected), Next(at, NewYork, new PacingSettings(WindowStart: new TimeOnly(10, 0), WindowEnd: new TimeOnly(16, 0))));

    [Theory]
    [InlineData("2026-06-10T07:00:00-04:00", "2026-06-10T09:00:00-04:00")]
    [InlineData("2026-06-10T20:00:00-04:00", "2026-06-11T09:00:00-04:00")]
    public void NextSendWindow_KeepsNineToSeven_WhenGivenAWiderWindow(string at, string expected) =>
        Assert.Equal(At(expected), Next(at, NewYork, new PacingSettings(WindowStart: new TimeOnly(6, 0), WindowEnd: new TimeOnly(22, 0))));

    // ---- DST in New York: spring forward 2026-03-08, fall back 2026-11-01 (both Sundays) ----

    [Theory]
    [InlineData("2026-03-06T03:00:00Z", "2026-03-06T14:00:00Z")] // Friday before: 09:00 EST
    [InlineData("2026-03-07T15:00:00Z", "2026-03-09T13:00:00Z")] // Saturday → Monday 09:00 EDT
    [InlineData("2026-03-08T06:59:59Z", "2026-03-09T13:00:00Z")] // the last EST second
    [InlineData("2026-03-08T07:30:00Z", "2026-03-09T13:00:00Z")] // 03:30 EDT, just after the gap
    [InlineData("2026-03-09T12:59:59Z", "2026-03-09T13:00:00Z")]
    [InlineData("2026-03-09T22:59:00Z", "2026-03-09T22:59:00Z")] // Monday 18:59 EDT stays
    [InlineData("2026-03-09T23:00:00Z", "2026-03-10T13:00:00Z")] // Monday 19:00 EDT → Tuesday 09:00 EDT
    [InlineData("2026-10-30T12:00:00Z", "2026-10-30T13:00:00Z")] // Friday before: 09:00 EDT
    [InlineData("2026-10-30T23:00:00Z", "2026-11-02T14:00:00Z")] // Friday 19:00 EDT → Monday 09:00 EST
    [InlineData("2026-11-01T05:30:00Z", "2026-11-02T14:00:00Z")] // 01:30 EDT, first pass through the repeated hour
    [InlineData("2026-11-01T06:30:00Z", "2026-11-02T14:00:00Z")] // 01:30 EST, second pass
    [InlineData("2026-11-02T23:59:00Z", "2026-11-02T23:59:00Z")] // Monday 18:59 EST stays
    [InlineData("2026-11-03T00:00:00Z", "2026-11-03T14:00:00Z")] // Monday 19:00 EST → Tuesday
    public void NextSendWindow_FindsNineOClockExactly_AcrossNewYorkDstChanges(string at, string expected) =>
        Assert.Equal(At(expected), Next(at, NewYork));

    // ---- DST in London: spring forward 2026-03-29, fall back 2026-10-25 (both Sundays) ----

    [Theory]
    [InlineData("2026-03-27T06:00:00Z", "2026-03-27T09:00:00Z")] // Friday before: 09:00 GMT
    [InlineData("2026-03-27T19:00:00Z", "2026-03-30T08:00:00Z")] // Friday 19:00 GMT → Monday 09:00 BST
    [InlineData("2026-03-29T01:30:00Z", "2026-03-30T08:00:00Z")] // 02:30 BST, just after the gap
    [InlineData("2026-03-30T17:59:00Z", "2026-03-30T17:59:00Z")] // Monday 18:59 BST stays
    [InlineData("2026-03-30T18:00:00Z", "2026-03-31T08:00:00Z")] // Monday 19:00 BST → Tuesday
    [InlineData("2026-10-23T06:00:00Z", "2026-10-23T08:00:00Z")] // Friday before: 09:00 BST
    [InlineData("2026-10-24T12:00:00Z", "2026-10-26T09:00:00Z")] // Saturday → Monday 09:00 GMT
    [InlineData("2026-10-25T00:30:00Z", "2026-10-26T09:00:00Z")] // 01:30 BST, first pass through the repeated hour
    [InlineData("2026-10-25T01:30:00Z", "2026-10-26T09:00:00Z")] // 01:30 GMT, second pass
    [InlineData("2026-10-26T18:59:00Z", "2026-10-26T18:59:00Z")] // Monday 18:59 GMT stays
    public void NextSendWindow_FindsNineOClockExactly_AcrossLondonDstChanges(string at, string expected) =>
        Assert.Equal(At(expected), Next(at, London));

    // ---- Clock changes inside the window (custom zone) ----

    [Theory]
    [InlineData("2026-03-09T20:00:00Z")] // Monday 20:00 → Tuesday 09:00, which is skipped
    [InlineData("2026-03-10T08:30:00Z")] // Tuesday 08:30, before the gap
    public void NextSendWindow_MovesToTheEndOfTheGap_WhenTheWindowOpensInsideIt(string at) =>
        Assert.Equal(At("2026-03-10T09:00:00Z"), Next(at, MorningShift)); // 10:00 local, the first wall-clock time after the gap

    [Fact]
    public void NextSendWindow_TakesTheEarlierInstant_WhenTheWindowOpensInARepeatedHour() =>
        Assert.Equal(At("2026-11-03T08:00:00Z"), Next("2026-11-02T20:00:00Z", MorningShift)); // 09:00 daylight, not 09:00 standard

    [Fact]
    public void NextSendWindow_TakesTheLaterInstant_WhenTheEarlierIsAlreadyPast()
    {
        // 09:05 standard (the hour's second pass) is before a 09:30 opening; 09:30 daylight has already gone by.
        var settings = new PacingSettings(WindowStart: new TimeOnly(9, 30));

        Assert.Equal(At("2026-11-03T09:30:00Z"), Next("2026-11-03T09:05:00Z", MorningShift, settings));
    }

    [Fact]
    public void NextSendWindow_StaysPut_WhenInsideTheWindowDuringARepeatedHour() =>
        Assert.Equal(At("2026-11-03T09:15:00Z"), Next("2026-11-03T09:15:00Z", MorningShift));

    /// <summary>A zone whose clocks change inside the window: 2026-03-10 (Tuesday) 09:00 → 10:00, 2026-11-03 (Tuesday) 10:00 → 09:00.</summary>
    private sealed class MorningShiftZone() : DateTimeZone("Test/Morning-Shift", false, Offset.Zero, Offset.FromHours(1))
    {
        private static readonly Instant SpringForward = Instant.FromUtc(2026, 3, 10, 9, 0);
        private static readonly Instant FallBack = Instant.FromUtc(2026, 11, 3, 9, 0);

        public override ZoneInterval GetZoneInterval(Instant instant) =>
            instant < SpringForward ? new ZoneInterval("Morning standard", null, SpringForward, Offset.Zero, Offset.Zero)
            : instant < FallBack ? new ZoneInterval("Morning daylight", SpringForward, FallBack, Offset.FromHours(1), Offset.FromHours(1))
            : new ZoneInterval("Morning standard", FallBack, null, Offset.Zero, Offset.Zero);
    }
}
