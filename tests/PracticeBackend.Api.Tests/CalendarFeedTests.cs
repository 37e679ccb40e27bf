using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A therapist's calendar feed, as a calendar app fetches it: valid iCalendar (no METHOD, UID, DTSTAMP, UTC
/// times) with their active sessions named by initials only, nothing of the person's contact details or
/// words; its secret address rotates (the old one stops at once) and can be revoked; nobody makes one for
/// someone else's calendar.
/// </summary>
[Collection(Api.Name)]
public sealed class CalendarFeedTests(ApiFixture app)
{
    private static readonly DateTimeOffset Soon = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(9);

    [Fact]
    public async Task TheFeed_ListsActiveSessionsByInitials_AndItsAddressRotatesAndRevokes()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Feed Keeper");
        var colleague = await app.AddTherapistAsync(admin, "Feed Neighbour");
        var intake = await app.SubmitIntakeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(intake, therapist.Id)).StatusCode);
        var client = (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();
        var kept = await BookAsync(therapist, client, Soon.AddHours(15));
        var dropped = await BookAsync(therapist, client, Soon.AddHours(17));
        Assert.Equal(HttpStatusCode.OK, (await therapist.Client.PostAsJsonAsync($"/api/staff/appointments/{dropped}/cancel", new { reason = "client-asked" })).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await colleague.Client.PostAsync(new Uri($"/api/staff/therapists/{therapist.Id}/calendar-feed", UriKind.Relative), null)).StatusCode);
        var first = await IssueAsync(therapist);
        using var calendarApp = app.CreateClient();
        var fetched = await calendarApp.GetAsync(first);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("text/calendar", fetched.Content.Headers.ContentType?.MediaType);
        var raw = await fetched.Content.ReadAsStringAsync();

        var feed = Ical.Net.Calendar.Load(raw)!;
        Assert.Null(feed.Method);
        var session = Assert.Single(feed.Events);
        Assert.Equal(kept.ToString(), session.Uid);
        Assert.Equal("Session: S.", session.Summary);
        Assert.Equal(Soon.AddHours(15).UtcDateTime, session.DtStart!.AsUtc);
        Assert.NotNull(session.DtStamp);
        Assert.Contains("DTSTART:" + Soon.AddHours(15).UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), raw, StringComparison.Ordinal);
        foreach (var secret in new[] { "Sam", "@example", "arm's length" })
        {
            Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
        }

        // The same feed twice is the same bytes: calendar apps see no change where there is none, and may ask so.
        Assert.Equal(raw, await calendarApp.GetStringAsync(first));
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, first);
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", fetched.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await calendarApp.SendAsync(revalidate)).StatusCode);

        var second = await IssueAsync(therapist);
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync(first)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await calendarApp.GetAsync(second)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(new Uri($"/api/staff/therapists/{therapist.Id}/calendar-feed", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await calendarApp.GetAsync(second)).StatusCode);
    }

    private static async Task<Uri> IssueAsync(Therapist therapist)
    {
        var issued = await therapist.Client.PostAsync(new Uri($"/api/staff/therapists/{therapist.Id}/calendar-feed", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var url = new Uri((await issued.JsonAsync()).GetProperty("url").GetString()!);
        return new Uri(url.PathAndQuery, UriKind.Relative);
    }

    private static async Task<Guid> BookAsync(Therapist therapist, Guid client, DateTimeOffset start)
    {
        var booked = await therapist.Client.PostAsJsonAsync("/api/staff/appointments", new
        {
            therapistId = therapist.Id, clientId = client, start = start.ToString("O", CultureInfo.InvariantCulture), format = "video",
        });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        return (await booked.JsonAsync()).GetProperty("appointmentId").GetGuid();
    }
}
