using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using MimeKit;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A booked session as the person lives it, over HTTP, the real send jobs and a real SMTP server: the staff
/// booking's note and invite, a move (same UID, higher SEQUENCE) that the first email's manage link follows,
/// one reminder in the last window a day before, and a cancellation with a CANCEL invite after which the
/// link says so and nothing more is sent; the person's own cancellation and "reminders off" by link.
/// </summary>
[Collection(FollowUps.Name)]
public sealed class SessionLifecycleTests(FollowUpApp app)
{
    [Fact]
    public async Task ABookedSession_MovedThenCancelledByStaff_IsToldEachTime_AndItsLinkAlwaysShowsTheSessionAsItIs()
    {
        var (person, intake, client, therapist) = await AssignedAsync();
        var friday = Day(4).AddHours(16);
        var booked = await therapist.PostAsJsonAsync("/api/staff/appointments", new { therapistId = Id(therapist), clientId = client, intakeId = intake, start = Iso(friday), format = "video" });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var appointmentId = (await booked.JsonAsync()).GetProperty("appointmentId").GetGuid();
        await app.DeliverDueAsync();

        var note = Assert.Single(app.MailTo(person), m => m.Subject == "A session is booked for you");
        AssertInvite(note, "REQUEST", appointmentId, 0, friday);
        var manage = app.Link(note, "See, change or cancel this session");
        using var anonymous = app.CreateClient();
        Assert.Contains("Friday", await anonymous.GetStringAsync(manage), StringComparison.Ordinal);

        // Moved: the same invite, one version on; the first email's link shows the new time.
        var monday = Day(7).AddHours(16);
        Assert.Equal(HttpStatusCode.OK, (await therapist.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/reschedule", new { start = Iso(monday) })).StatusCode);
        await app.DeliverDueAsync();
        AssertInvite(Assert.Single(app.MailTo(person), m => m.Subject == "Your session has a new time"), "REQUEST", appointmentId, 1, monday);
        var page = await anonymous.GetStringAsync(manage);
        Assert.Contains("Monday", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Friday", page, StringComparison.Ordinal);

        // One reminder, in Friday's window (the last that ends a day before a Monday session).
        await app.AdvanceAsync(TimeSpan.FromDays(5), TimeSpan.FromHours(3));
        var reminder = Assert.Single(app.MailTo(person), m => m.Subject == "A note about your session");
        Assert.Equal(DayOfWeek.Friday, reminder.Date.ToOffset(TimeSpan.FromHours(-6)).DayOfWeek);

        // Cancelled by staff (days later: the therapist's sign-in has lapsed, an admin does it): a calm note with the CANCEL invite; the link says so and offers nothing to change.
        using var admin = await app.SignInAsAdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/cancel", new { reason = "therapist-unavailable" })).StatusCode);

        // On a Saturday, two days before: it waits for Monday's window rather than arriving at the weekend.
        await app.DeliverDueAsync();
        Assert.DoesNotContain(app.MailTo(person), m => m.Subject == "About your session");
        await app.AdvanceAsync(TimeSpan.FromDays(2), TimeSpan.FromHours(3));
        AssertInvite(Assert.Single(app.MailTo(person), m => m.Subject == "About your session"), "CANCEL", appointmentId, 2, monday);
        var cancelled = await anonymous.GetStringAsync(manage);
        Assert.Contains("This session was cancelled", cancelled, StringComparison.Ordinal);
        Assert.DoesNotContain("<button", cancelled, StringComparison.Ordinal);
        var rebook = await anonymous.PostAsync(manage, new FormUrlEncodedContent([new("action", "cancel")]));
        Assert.Equal(HttpStatusCode.Conflict, rebook.StatusCode);
    }

    [Fact]
    public async Task ThePersonCancelsByTheirLink_OrTurnsRemindersOff_AndNothingTheyDidNotWantFollows()
    {
        var (person, intake, client, therapist) = await AssignedAsync();
        var wednesday = Day(9).AddHours(16);
        var thursday = Day(10).AddHours(16);
        Assert.Equal(HttpStatusCode.Created, (await therapist.PostAsJsonAsync("/api/staff/appointments", new { therapistId = Id(therapist), clientId = client, intakeId = intake, start = Iso(wednesday), format = "in-person" })).StatusCode);
        await app.DeliverDueAsync();
        var note = Assert.Single(app.MailTo(person), m => m.Subject == "A session is booked for you");

        // Reminders off: none arrives for this session.
        using var anonymous = app.CreateClient();
        var off = await anonymous.PostAsync(app.Link(note, "Turn off session reminders"), new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Contains("Reminders are off", await off.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A second session for the same person, cancelled by them from its link: confirmed at once, the therapist told.
        var second = await therapist.PostAsJsonAsync("/api/staff/appointments", new { therapistId = Id(therapist), clientId = client, start = Iso(thursday), format = "in-person" });
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var secondId = (await second.JsonAsync()).GetProperty("appointmentId").GetGuid();
        await app.DeliverDueAsync();
        var secondNote = app.MailTo(person).Where(m => m.Subject == "A session is booked for you").Single(m => m.TextBody!.Contains("Thursday", StringComparison.Ordinal));
        var cancelled = await anonymous.PostAsync(app.Link(secondNote, "See, change or cancel this session"), new FormUrlEncodedContent([new("action", "cancel")]));
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        await app.DeliverDueAsync();
        AssertInvite(Assert.Single(app.MailTo(person), m => m.Subject == "Your session is cancelled"), "CANCEL", secondId, 1, thursday);
        var told = Assert.Single(app.MailTo(TherapistEmail(therapist)));
        Assert.Contains("has cancelled the session", told.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(person, told.TextBody, StringComparison.Ordinal);

        await app.AdvanceAsync(TimeSpan.FromDays(11), TimeSpan.FromHours(6));
        Assert.DoesNotContain(app.MailTo(person), m => m.Subject == "A note about your session");
        Assert.Equal("booked", (await app.StaffDetailAsync(intake)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnErasure_CancelsTheirFutureSessions_TellsTheTherapist_AndSendsThePersonNothing()
    {
        var (person, intake, client, therapist) = await AssignedAsync();
        var booked = await therapist.PostAsJsonAsync("/api/staff/appointments", new { therapistId = Id(therapist), clientId = client, intakeId = intake, start = Iso(Day(3).AddHours(16)), format = "video" });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var appointmentId = (await booked.JsonAsync()).GetProperty("appointmentId").GetGuid();
        await app.DeliverDueAsync();
        var before = app.MailTo(person).Count;

        using var anonymous = app.CreateClient();
        var erased = await anonymous.PostAsync(app.Link(Assert.Single(app.MailTo(person), m => m.Subject == "A session is booked for you"), "Erase my data"), new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        await app.AdvanceAsync(TimeSpan.FromDays(4), TimeSpan.FromHours(6));

        Assert.Equal(1, await app.ScalarAsync($"SELECT count(*) FROM appointments WHERE id = '{appointmentId}' AND status = 'Cancelled' AND cancel_reason = 'client-erased'"));
        Assert.Equal(before, app.MailTo(person).Count);
        var note = Assert.Single(app.MailTo(TherapistEmail(therapist)));
        Assert.Contains("asked us to erase their details", note.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(person, note.TextBody, StringComparison.Ordinal);
    }

    private static void AssertInvite(MimeMessage message, string method, Guid appointmentId, int sequence, DateTimeOffset start)
    {
        var part = message.BodyParts.OfType<MimePart>().First(p => p.ContentType.IsMimeType("text", "calendar"));
        Assert.Equal(method, part.ContentType.Parameters["method"]);
        using var raw = new MemoryStream();
        part.Content!.DecodeTo(raw);
        var calendar = Ical.Net.Calendar.Load(System.Text.Encoding.UTF8.GetString(raw.ToArray()))!;
        Assert.Equal(method, calendar.Method);
        var session = Assert.Single(calendar.Events);
        Assert.Equal(appointmentId.ToString(), session.Uid);
        Assert.Equal(sequence, session.Sequence);
        Assert.Equal(start.UtcDateTime, session.DtStart!.AsUtc);
        Assert.Equal(method == "CANCEL" ? "CANCELLED" : "CONFIRMED", session.Status);
    }

    private DateTimeOffset Day(int ahead) => new DateTimeOffset(app.Clock.GetUtcNow().Date, TimeSpan.Zero).AddDays(ahead);

    private static string Iso(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(-6)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private readonly Dictionary<HttpClient, (Guid Id, string Email)> _therapists = [];

    private Guid Id(HttpClient therapist) => _therapists[therapist].Id;

    private string TherapistEmail(HttpClient therapist) => _therapists[therapist].Email;

    /// <summary>A new person's request, assigned to a new therapist (signed in), on a Monday at 09:00 in Chicago.</summary>
    private async Task<(string Person, Guid Intake, Guid Client, HttpClient Therapist)> AssignedAsync()
    {
        var person = await app.SubmitAsync("when-ready");
        app.MoveToNextMondayAfternoonUtc();
        await app.DeliverDueAsync();
        var intake = (await app.IntakesAsync([person]))[0];
        using var admin = await app.SignInAsAdminAsync();
        var profile = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName = "Dr. Ines Halvorsen", specialties = new[] { "attachment" }, formats = new[] { "video", "in-person" }, acceptingNewClients = true, timeZone = "America/Chicago",
        });
        var therapistId = (await profile.JsonAsync()).GetProperty("id").GetGuid();
        var email = $"ines.{Guid.NewGuid():N}@practice.test";
        var token = (await (await admin.PostAsJsonAsync("/api/staff/users", new { email, role = "Therapist", therapistId })).JsonAsync()).GetProperty("invitationToken").GetString();
        var password = "a long enough passphrase " + Guid.NewGuid().ToString("N")[..6];
        var therapist = app.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await therapist.PostAsJsonAsync("/api/auth/accept-invitation", new { email, invitationToken = token, password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await therapist.PostAsJsonAsync("/api/auth/login", new { email, password })).StatusCode);
        _therapists[therapist] = (therapistId, email);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/staff/intake/{intake}/assign", new { therapistId })).StatusCode);
        var client = (await app.StaffDetailAsync(intake)).GetProperty("clientId").GetGuid();
        return (person, intake, client, therapist);
    }
}
