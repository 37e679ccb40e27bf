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
    public async Task ATherapistsWeek_ComesBackAsOpenTimes_OnTheViewersClock_AcrossTheSpringForwardNight()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Slots Across Dst");
        var saved = await therapist.Client.PutAsJsonAsync($"/api/staff/therapists/{therapist.Id}/availability", new
        {
            timeZone = "America/New_York",
            weekly = new[]
            {
                new { day = "sunday", start = "01:00", end = "05:00" },
                new { day = "monday", start = "09:00", end = "12:00" },
            },
            overrides = new[] { new { date = "2027-03-21", ranges = Array.Empty<object>() } },
            bookingWindowDays = 365,
        });
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        var view = await (await admin.GetAsync(new Uri($"/api/staff/therapists/{therapist.Id}/availability", UriKind.Relative))).JsonAsync();
        Assert.Equal(50, view.GetProperty("sessionMinutes").GetInt32());
        Assert.Equal("sunday", view.GetProperty("weekly")[0].GetProperty("day").GetString());

        // 2027-03-14: 02:00 EST becomes 03:00 EDT. Seen from Tokyo.
        var slots = await SlotsAsync(admin, therapist.Id, "from=2027-03-14T00:00:00-05:00&to=2027-03-16T00:00:00-04:00&tz=Asia/Tokyo");
        Assert.Equal("America/New_York", slots.GetProperty("therapistTimeZone").GetString());
        Assert.Equal(
            ["2027-03-14T15:00:00+09", "2027-03-14T16:00:00+09", "2027-03-14T17:00:00+09", "2027-03-15T22:00:00+09", "2027-03-15T23:00:00+09", "2027-03-16T00:00:00+09"],
            slots.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("local").GetString()));
        Assert.Equal(
            [new DateTimeOffset(2027, 3, 14, 6, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 14, 7, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 14, 8, 0, 0, TimeSpan.Zero)],
            slots.GetProperty("slots").EnumerateArray().Take(3).Select(s => s.GetProperty("start").GetDateTimeOffset()));

        // The closed Sunday a week later offers nothing; its Monday does.
        var closedSunday = await SlotsAsync(admin, therapist.Id, "from=2027-03-21T00:00:00-04:00&to=2027-03-23T00:00:00-04:00");
        Assert.Equal(
            ["2027-03-22T09:00:00-04", "2027-03-22T10:00:00-04", "2027-03-22T11:00:00-04"],
            closedSunday.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("local").GetString()));
    }

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
