using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A therapist says when they work, over HTTP; the open times come back as UTC instants and on the viewer's
/// clock, right across a spring-forward night; a wrong availability is refused naming the field.
/// </summary>
[Collection(Api.Name)]
public sealed class AvailabilityTests(ApiFixture app)
{
    [Fact]
    public async Task ATherapistsWeek_ComesBackAsOpenTimes_OnTheViewersClock_AcrossTheNextClockChange()
    {
        // The next time New York's clocks change, at least two days out (the notice is a day).
        var zone = NodaTime.DateTimeZoneProviders.Tzdb["America/New_York"];
        var change = zone.GetZoneInterval(NodaTime.SystemClock.Instance.GetCurrentInstant() + NodaTime.Duration.FromDays(2)).End;
        var before = zone.GetZoneInterval(change - NodaTime.Duration.FromHours(1)).WallOffset;
        var after = zone.GetZoneInterval(change).WallOffset;
        var sunday = change.InZone(zone).Date;
        var springForward = after > before;
        var midnightUtc = new DateTimeOffset(sunday.Year, sunday.Month, sunday.Day, 0, 0, 0, TimeSpan.Zero);

        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Slots Across Dst");
        var saved = await therapist.Client.PutAsJsonAsync($"/api/staff/therapists/{therapist.Id}/availability", new
        {
            timeZone = "America/New_York",
            weekly = new[]
            {
                // Spring: 01:00–05:00 is three hours that night; autumn: 00:00–03:00 is four.
                springForward ? new { day = "sunday", start = "01:00", end = "05:00" } : new { day = "sunday", start = "00:00", end = "03:00" },
                new { day = "monday", start = "09:00", end = "12:00" },
            },
            overrides = new[] { new { date = sunday.PlusDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ranges = Array.Empty<object>() } },
            bookingWindowDays = 365,
        });
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        var view = await (await admin.GetAsync(new Uri($"/api/staff/therapists/{therapist.Id}/availability", UriKind.Relative))).JsonAsync();
        Assert.Equal(50, view.GetProperty("sessionMinutes").GetInt32());
        Assert.Equal("sunday", view.GetProperty("weekly")[0].GetProperty("day").GetString());

        // That Sunday and the Monday after, seen from Tokyo (UTC+9, no DST).
        var slots = await SlotsAsync(admin, therapist.Id, $"from={Query(midnightUtc)}&to={Query(midnightUtc.AddDays(2))}&tz=Asia/Tokyo");
        Assert.Equal("America/New_York", slots.GetProperty("therapistTimeZone").GetString());
        var nightUtc = springForward ? new[] { 6, 7, 8 } : [4, 5, 6, 7];
        var mondayUtc = springForward ? new[] { 13, 14, 15 } : [14, 15, 16];
        DateTimeOffset[] expected = [.. nightUtc.Select(h => midnightUtc.AddHours(h)), .. mondayUtc.Select(h => midnightUtc.AddDays(1).AddHours(h))];
        var open = slots.GetProperty("slots").EnumerateArray().ToList();
        Assert.Equal(expected, open.Select(s => s.GetProperty("start").GetDateTimeOffset()));
        Assert.Equal(expected.Select(Tokyo), open.Select(s => s.GetProperty("local").GetString()));

        // The closed Sunday a week later offers nothing; its Monday does, on the therapist's clock.
        var later = midnightUtc.AddDays(7);
        var closedSunday = await SlotsAsync(admin, therapist.Id, $"from={Query(later)}&to={Query(later.AddDays(2))}");
        var offset = springForward ? "-04" : "-05";
        var monday = later.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(
            [$"{monday}T09:00:00{offset}", $"{monday}T10:00:00{offset}", $"{monday}T11:00:00{offset}"],
            closedSunday.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("local").GetString()));
    }

    private static string Query(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    private static string Tokyo(DateTimeOffset utc) => utc.UtcDateTime.AddHours(9).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "+09";

    [Fact]
    public async Task AWrongAvailability_IsRefused_NamingEachField()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Wrong Week");

        var response = await therapist.Client.PutAsJsonAsync($"/api/staff/therapists/{therapist.Id}/availability", new
        {
            timeZone = "Mars/Olympus",
            weekly = new[]
            {
                new { day = "funday", start = "9am", end = "17:00" },
                new { day = "monday", start = "09:00", end = "17:00" },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["timeZone", "weekly[0].day", "weekly[0].start"], Fields(await response.JsonAsync()));

        var overlapping = await therapist.Client.PutAsJsonAsync($"/api/staff/therapists/{therapist.Id}/availability", new
        {
            timeZone = "Europe/London",
            weekly = new[]
            {
                new { day = "monday", start = "09:00", end = "12:00" },
                new { day = "monday", start = "11:00", end = "13:00" },
                new { day = "tuesday", start = "15:00", end = "14:00" },
            },
            sessionMinutes = 5,
        });
        Assert.Equal(HttpStatusCode.BadRequest, overlapping.StatusCode);
        Assert.Equal(["sessionMinutes", "weekly[1]", "weekly[2].end"], Fields(await overlapping.JsonAsync()));

        var tooLong = await admin.GetAsync(new Uri($"/api/staff/therapists/{therapist.Id}/slots?from=2027-01-01T00:00:00Z&to=2027-06-01T00:00:00Z&tz=Nowhere/Else", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(["to", "tz"], Fields(await tooLong.JsonAsync()));
    }

    private static async Task<JsonElement> SlotsAsync(HttpClient staff, Guid therapistId, string query)
    {
        var response = await staff.GetAsync(new Uri($"/api/staff/therapists/{therapistId}/slots?{query}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static List<string> Fields(JsonElement problem) => [.. problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal)];
}
