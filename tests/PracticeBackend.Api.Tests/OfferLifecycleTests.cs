using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PracticeBackend.Api.Jobs;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// An offer of times from end to end, over HTTP, the real Hangfire send jobs and a real SMTP server: the
/// person gets one message with one link, picks a time on the page it opens, and the confirmation arrives
/// with an invite that parses as iCalendar; or they say none work, or not now; or say nothing, and after the
/// hold one quiet note says the times were released — and a late pick is answered calmly.
/// </summary>
[Collection(FollowUps.Name)]
public sealed class OfferLifecycleTests(FollowUpApp app)
{
    [Fact]
    public async Task ATimePickedByLink_BecomesAConfirmedAppointment_WhoseInviteArrivesAndParses()
    {
        var (person, intake, therapist, admin) = await OfferedAsync();
        var offerMail = Assert.Single(app.MailTo(person), m => m.Subject == "Some times that could work");
        var page = app.Link(offerMail, "See the times");
        Assert.DoesNotContain("expire", offerMail.TextBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" left", offerMail.TextBody, StringComparison.OrdinalIgnoreCase);

        using var anonymous = app.CreateClient();
        var opened = await anonymous.GetStringAsync(page);
        Assert.Contains("Some times that could work", opened, StringComparison.Ordinal);
        var offer = await (await anonymous.GetAsync(Api(page))).JsonAsync();
        Assert.Equal("open", offer.GetProperty("status").GetString());
        Assert.Equal("Ines", offer.GetProperty("therapistFirstName").GetString());
        var times = offer.GetProperty("times").EnumerateArray().ToList();
        Assert.Equal(3, times.Count);

        // Held: nobody else may book a held time.
        Assert.Equal(HttpStatusCode.Conflict, (await BookAsync(admin, therapist.Id, intake, times[0].GetProperty("start").GetDateTimeOffset())).StatusCode);

        var picked = await anonymous.PostAsJsonAsync(Api(page, "/accept"), new { start = times[1].GetProperty("local").GetString() });
        Assert.Equal(HttpStatusCode.OK, picked.StatusCode);
        Assert.Equal("picked", (await picked.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync(Api(page, "/accept"), new { start = times[1].GetProperty("local").GetString() })).StatusCode);
        await app.DeliverDueAsync();

        // The confirmation, with its invite.
        var confirmation = Assert.Single(app.MailTo(person), m => m.Subject == "Your session is confirmed");
        var calendarPart = confirmation.BodyParts.OfType<MimePart>().First(p => p.ContentType.IsMimeType("text", "calendar"));
        using var ics = new MemoryStream();
        calendarPart.Content!.DecodeTo(ics);
        var raw = System.Text.Encoding.UTF8.GetString(ics.ToArray());
        var detail = await app.StaffDetailAsync(intake);
        var appointmentId = detail.GetProperty("offers")[0].GetProperty("appointmentId").GetGuid();
        var start = times[1].GetProperty("start").GetDateTimeOffset();
        AssertValidRequest(raw, calendarPart, appointmentId, start, person);
        Assert.DoesNotContain("arm's length", raw, StringComparison.Ordinal);
        Assert.Contains("Where: by video, at https://video.example/ines", confirmation.TextBody, StringComparison.Ordinal);
        Assert.Equal("by video, at https://video.example/ines", Ical.Net.Calendar.Load(raw)!.Events.Single().Location);
        Assert.Equal("booked", detail.GetProperty("status").GetString());
        Assert.Equal("picked", detail.GetProperty("offers")[0].GetProperty("status").GetString());
        Assert.Equal(1, await app.ScalarAsync($"SELECT count(*) FROM appointments WHERE id = '{appointmentId}' AND status = 'Confirmed' AND request_booked_at IS NOT NULL"));

        // The therapist hears, without anything of the person.
        var notice = Assert.Single(app.MailTo(therapist.Email));
        Assert.Equal("An answer to your offer of times", notice.Subject);
        Assert.DoesNotContain("Sam", notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(person, notice.TextBody, StringComparison.Ordinal);

        // The other times went back.
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(admin, therapist.Id, intake, times[0].GetProperty("start").GetDateTimeOffset())).StatusCode);
    }

    [Fact]
    public async Task NoneWork_GoesBackToTheTherapistWithTheUsualTimes_AndNotNow_ClosesTheRequest()
    {
        var (person, intake, therapist, _) = await OfferedAsync();
        var page = app.Link(Assert.Single(app.MailTo(person), m => m.Subject == "Some times that could work"), "See the times");
        using var anonymous = app.CreateClient();

        var freeText = await anonymous.PostAsJsonAsync(Api(page, "/decline"), new { reason = "none-work", usually = new[] { "monday-morning", "I work nights" } });
        Assert.Equal(HttpStatusCode.BadRequest, freeText.StatusCode);
        Assert.Equal(["usually"], (await freeText.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));

        var declined = await anonymous.PostAsync(page, new FormUrlEncodedContent([new("action", "none-work"), new("usually", "tuesday-evening"), new("usually", "friday-morning")]));
        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        Assert.Contains("will look for other times", await declined.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.DeliverDueAsync();

        var detail = await app.StaffDetailAsync(intake);
        Assert.Equal("in-conversation", detail.GetProperty("status").GetString());
        var answer = detail.GetProperty("offers")[0];
        Assert.Equal("none-work", answer.GetProperty("status").GetString());
        Assert.Equal(["tuesday-evening", "friday-morning"], answer.GetProperty("usually").EnumerateArray().Select(u => u.GetString()));

        // The therapist's queue shows the answer, with the usual times, and nothing of the person.
        var queue = await (await therapist.Client.GetAsync(new Uri("/api/staff/intake", UriKind.Relative))).JsonAsync();
        var listed = queue.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("intakeId").GetGuid() == intake).GetProperty("latestOffer");
        Assert.Equal("none-work", listed.GetProperty("status").GetString());
        Assert.Equal(["tuesday-evening", "friday-morning"], listed.GetProperty("usually").EnumerateArray().Select(u => u.GetString()));
        Assert.Single(app.MailTo(person), m => m.TextBody!.Contains("will look for others", StringComparison.Ordinal));
        Assert.Single(app.MailTo(therapist.Email));

        // A second offer for the same request; "not now" closes it, with one short note and nothing to the therapist.
        using var staff = await app.SignInAsAdminAsync();
        var again = await OfferAsync(staff, intake, therapist.Id, 3);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        await app.DeliverDueAsync();
        var second = Assert.Single(app.MailTo(person).Where(m => m.Subject == "Some times that could work").Select(m => app.Link(m, "See the times")), link => link != page);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync(Api(second, "/decline"), new { reason = "not-now" })).StatusCode);
        await app.DeliverDueAsync();
        Assert.Equal("closed", (await app.StaffDetailAsync(intake)).GetProperty("status").GetString());
        Assert.Single(app.MailTo(person), m => m.TextBody!.Contains("We've closed your request, as you asked", StringComparison.Ordinal));
        Assert.Single(app.MailTo(therapist.Email));
    }

    [Fact]
    public async Task AHoldNobodyAnswers_LapsesWithOneQuietNote_AndALatePickIsAnsweredCalmly()
    {
        var (person, intake, therapist, admin) = await OfferedAsync();
        var page = app.Link(Assert.Single(app.MailTo(person), m => m.Subject == "Some times that could work"), "See the times");
        var offer = await (await app.CreateClient().GetAsync(Api(page))).JsonAsync();
        var late = offer.GetProperty("times")[0].GetProperty("local").GetString();
        var otherRequest = await OfferAsync(admin, intake, therapist.Id, 10);
        Assert.Equal(HttpStatusCode.Conflict, otherRequest.StatusCode);

        app.Clock.Advance(TimeSpan.FromHours(73));
        await SweepOffersAsync();
        await app.AdvanceAsync(TimeSpan.FromDays(3), TimeSpan.FromHours(6));

        var note = Assert.Single(app.MailTo(person), m => m.Subject == "About the times we set aside");
        Assert.Contains("released", note.TextBody, StringComparison.Ordinal);
        Assert.Equal("lapsed", (await app.StaffDetailAsync(intake)).GetProperty("offers")[0].GetProperty("status").GetString());
        await SweepOffersAsync();
        await app.DeliverDueAsync();
        Assert.Single(app.MailTo(person), m => m.Subject == "About the times we set aside");

        using var anonymous = app.CreateClient();
        var tooLate = await anonymous.PostAsJsonAsync(Api(page, "/accept"), new { start = late });
        Assert.Equal(HttpStatusCode.Conflict, tooLate.StatusCode);
        Assert.Equal("Those times were released", (await tooLate.JsonAsync()).GetProperty("title").GetString());
        var pageAfter = await anonymous.GetStringAsync(page);
        Assert.Contains("Ask for other times", pageAfter, StringComparison.Ordinal);

        var asked = await anonymous.PostAsJsonAsync(Api(page, "/decline"), new { reason = "none-work" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        await app.DeliverDueAsync();
        Assert.Single(app.MailTo(therapist.Email));
        Assert.Equal("in-conversation", (await app.StaffDetailAsync(intake)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnOfferForARequestThatHasEnded_IsNotOneToAnswer_AndItsReleaseIsNotAnnounced()
    {
        var (person, intake, _, admin) = await OfferedAsync();
        var page = app.Link(Assert.Single(app.MailTo(person), m => m.Subject == "Some times that could work"), "See the times");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/staff/intake/{intake}/close", new { reason = "referred-elsewhere" })).StatusCode);

        using var anonymous = app.CreateClient();
        var offer = await (await anonymous.GetAsync(Api(page))).JsonAsync();
        Assert.Equal("request-ended", offer.GetProperty("status").GetString());
        Assert.Empty(offer.GetProperty("times").EnumerateArray());
        var start = new DateTimeOffset(app.Clock.GetUtcNow().Date, TimeSpan.Zero).AddDays(2).AddHours(16);
        var pick = await anonymous.PostAsJsonAsync(Api(page, "/accept"), new { start = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.Conflict, pick.StatusCode);
        Assert.Equal("This request has ended", (await pick.JsonAsync()).GetProperty("title").GetString());
        Assert.Contains("This request has ended", await anonymous.GetStringAsync(page), StringComparison.Ordinal);

        app.Clock.Advance(TimeSpan.FromHours(80));
        await SweepOffersAsync();
        await app.AdvanceAsync(TimeSpan.FromDays(2), TimeSpan.FromHours(6));
        Assert.DoesNotContain(app.MailTo(person), m => m.Subject == "About the times we set aside");
    }

    /// <summary>
    /// What a receiving calendar checks (../shared/research/calendar-invites.md): the MIME method equals
    /// METHOD, CRLF lines, one event with its stable UID, SEQUENCE, DTSTAMP, UTC times, ORGANIZER and the
    /// ATTENDEE the mail went to; and Ical.Net reads it back.
    /// </summary>
    private static void AssertValidRequest(string raw, MimePart part, Guid appointmentId, DateTimeOffset start, string attendee)
    {
        Assert.Equal("REQUEST", part.ContentType.Parameters["method"]);
        Assert.Equal(ContentEncoding.Base64, part.ContentTransferEncoding);
        Assert.DoesNotContain("\n", raw.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var calendar = Ical.Net.Calendar.Load(raw)!;
        Assert.Equal("REQUEST", calendar.Method);
        var session = Assert.Single(calendar.Events);
        Assert.Equal(appointmentId.ToString(), session.Uid);
        Assert.Equal(0, session.Sequence);
        Assert.NotNull(session.DtStamp);
        Assert.Equal(start.UtcDateTime, session.DtStart!.AsUtc);
        Assert.Equal(start.UtcDateTime.AddMinutes(50), session.DtEnd!.AsUtc);
        Assert.Contains("DTSTART:" + start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), raw, StringComparison.Ordinal);
        Assert.Equal("mailto:" + attendee, Assert.Single(session.Attendees).Value!.ToString(), ignoreCase: true);
        Assert.NotNull(session.Organizer);
        Assert.Equal("CONFIRMED", session.Status);
    }

    private async Task<(string Person, Guid Intake, StaffMember Therapist, HttpClient Admin)> OfferedAsync()
    {
        var person = await app.SubmitAsync("gentle");
        app.MoveToNextMondayAfternoonUtc();
        await app.DeliverDueAsync();
        var intake = (await app.IntakesAsync([person]))[0];
        var admin = await app.SignInAsAdminAsync();
        var therapist = await TherapistAsync(admin);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/staff/intake/{intake}/assign", new { therapistId = therapist.Id })).StatusCode);

        var made = await OfferAsync(therapist.Client, intake, therapist.Id, 2);
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        Assert.Equal("open", (await made.JsonAsync()).GetProperty("status").GetString());
        await app.DeliverDueAsync();
        return (person, intake, therapist, admin);
    }

    /// <summary>Three times, a day apart, from <paramref name="daysAhead"/> days on, at 16:00 UTC.</summary>
    private Task<HttpResponseMessage> OfferAsync(HttpClient staff, Guid intake, Guid therapistId, int daysAhead)
    {
        var first = new DateTimeOffset(app.Clock.GetUtcNow().Date, TimeSpan.Zero).AddDays(daysAhead).AddHours(16);
        return staff.PostAsJsonAsync($"/api/staff/intake/{intake}/offers", new
        {
            therapistId,
            format = "video",
            starts = Enumerable.Range(0, 3).Select(i => first.AddDays(i).ToOffset(TimeSpan.FromHours(-6)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)).ToArray(),
        });
    }

    private static async Task<HttpResponseMessage> BookAsync(HttpClient staff, Guid therapistId, Guid intake, DateTimeOffset start)
    {
        var detail = await (await staff.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync();
        return await staff.PostAsJsonAsync("/api/staff/appointments", new
        {
            therapistId, clientId = detail.GetProperty("clientId").GetGuid(), start = start.ToString("O", CultureInfo.InvariantCulture), format = "video",
        });
    }

    private async Task SweepOffersAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OfferSweep>().RunAsync(CancellationToken.None);
    }

    /// <summary>The JSON API behind an offer's page: /offers/{token} → /api/offers/{token}{suffix}.</summary>
    private static Uri Api(Uri page, string suffix = "") => new(page, page.AbsolutePath.Replace("/offers/", "/api/offers/", StringComparison.Ordinal) + suffix);

    private sealed record StaffMember(Guid Id, string Email, HttpClient Client);

    private async Task<StaffMember> TherapistAsync(HttpClient admin)
    {
        var badLink = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName = "Dr. Ines Halvorsen", formats = new[] { "video" }, timeZone = "America/Chicago", videoLink = "http://video.example/ines",
        });
        Assert.Equal(HttpStatusCode.BadRequest, badLink.StatusCode);
        Assert.Equal(["videoLink"], (await badLink.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        var profile = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName = "Dr. Ines Halvorsen", specialties = new[] { "attachment" }, formats = new[] { "video", "in-person" }, acceptingNewClients = true, timeZone = "America/Chicago",
            videoLink = "https://video.example/ines",
        });
        Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
        var id = (await profile.JsonAsync()).GetProperty("id").GetGuid();
        var email = $"ines.{Guid.NewGuid():N}@practice.test";
        var invited = await admin.PostAsJsonAsync("/api/staff/users", new { email, role = "Therapist", therapistId = id });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var token = (await invited.JsonAsync()).GetProperty("invitationToken").GetString();
        var password = "a long enough passphrase " + Guid.NewGuid().ToString("N")[..6];
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/auth/accept-invitation", new { email, invitationToken = token, password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/login", new { email, password })).StatusCode);
        return new StaffMember(id, email, client);
    }
}
