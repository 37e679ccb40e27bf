using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// DESIGN invariant 2 over HTTP: a hundred staff requests for one time give one appointment and 99 calm
/// 409s; five hundred random bookings across twenty calendars leave no two active appointments of one
/// therapist overlapping, nor within the buffer, by SQL; a therapist books only their own calendar, for
/// their own clients.
/// </summary>
[Collection(Api.Name)]
public sealed class AppointmentTests(ApiFixture app)
{
    [Fact]
    public async Task AHundredRequestsForOneTime_GiveOneAppointment_AndNinetyNineConflicts()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Hundred Racers");
        var client = await ClientAsync(admin);

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => admin.PostAsJsonAsync("/api/staff/appointments", new
        {
            therapistId = therapist.Id, clientId = client, start = Soon.AddHours(14).ToString("O", System.Globalization.CultureInfo.InvariantCulture), format = "video",
        })));

        var created = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        var booked = await created.JsonAsync();
        Assert.Equal(Soon.AddHours(14).AddMinutes(50), booked.GetProperty("end").GetDateTimeOffset());
        Assert.Equal("confirmed", booked.GetProperty("status").GetString());
        Assert.All(answers.Where(a => a != created), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.StatusCode);
            Assert.Equal("application/problem+json", a.Content.Headers.ContentType?.MediaType);
        });
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM appointments WHERE therapist_id = '{therapist.Id}' AND status <> 'Cancelled'"));
    }

    [Fact]
    public async Task FiveHundredRandomBookings_AcrossTwentyCalendars_LeaveNoOverlapNorBufferBreach()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapists = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            therapists.Add(await TherapistOnlyAsync(admin, $"Random Calendar {i}"));
        }

        var client = await ClientAsync(admin);
        var random = new Random(20270405);
        var monday = Soon.AddHours(8);
        var attempts = Enumerable.Range(0, 500).Select(_ => (Therapist: therapists[random.Next(20)], Start: monday.AddMinutes(5 * random.Next(0, 12 * 24)))).ToList();

        // Sixteen staff at a time (the server's connections are shared with every other test host).
        var responses = new System.Collections.Concurrent.ConcurrentBag<HttpResponseMessage>();
        await Parallel.ForEachAsync(attempts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (a, token) =>
            responses.Add(await admin.PostAsJsonAsync("/api/staff/appointments", new
            {
                therapistId = a.Therapist, clientId = client, start = a.Start.ToString("O", System.Globalization.CultureInfo.InvariantCulture), format = "video",
            }, token)));
        var answers = responses.Select(r => r.StatusCode).ToList();

        foreach (var unexpected in responses.Where(r => r.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict)))
        {
            Assert.Fail($"answered {(int)unexpected.StatusCode}: {await unexpected.Content.ReadAsStringAsync()}\n{app.Logs.All}");
        }
        Assert.True(answers.Count(s => s == HttpStatusCode.Created) > 40, "most calendars should have taken several sessions");
        var ids = string.Join(",", therapists.Select(t => $"'{t}'"));
        Assert.Equal(0, await ScalarAsync($"""
            SELECT count(*) FROM appointments a JOIN appointments b
              ON a.therapist_id = b.therapist_id AND a.id < b.id
             AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
            WHERE a.therapist_id IN ({ids}) AND a.status <> 'Cancelled' AND b.status <> 'Cancelled'
            """));
        Assert.Equal(0, await ScalarAsync($"""
            SELECT count(*) FROM appointments a JOIN appointments b
              ON a.therapist_id = b.therapist_id AND a.id < b.id
             AND tstzrange(a.starts_at - interval '10 minutes', a.ends_at + interval '10 minutes') && tstzrange(b.starts_at, b.ends_at)
            WHERE a.therapist_id IN ({ids}) AND a.status <> 'Cancelled' AND b.status <> 'Cancelled'
            """));
    }

    [Fact]
    public async Task ATherapist_BooksOnlyTheirOwnCalendar_ForTheirOwnClients_AndBadInputIsNamed()
    {
        using var admin = await app.SignInAsAdminAsync();
        var a = await app.AddTherapistAsync(admin, "Own Calendar A");
        var b = await app.AddTherapistAsync(admin, "Own Calendar B");
        var intake = await app.SubmitIntakeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(intake, a.Id)).StatusCode);
        var client = (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();
        var stranger = await ClientAsync(admin);

        object Booking(Guid therapist, Guid person) => new { therapistId = therapist, clientId = person, start = Soon.AddDays(1).AddHours(9).ToString("O", System.Globalization.CultureInfo.InvariantCulture), format = "in-person" };
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.PostAsJsonAsync("/api/staff/appointments", Booking(b.Id, client))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.PostAsJsonAsync("/api/staff/appointments", Booking(a.Id, stranger))).StatusCode);
        var own = await a.Client.PostAsJsonAsync("/api/staff/appointments", Booking(a.Id, client));
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var appointmentId = (await own.JsonAsync()).GetProperty("appointmentId").GetGuid();

        // B cannot move or cancel A's session; A can, once.
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/cancel", new { reason = "client-asked" })).StatusCode);
        var moved = await a.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/reschedule", new { start = Soon.AddDays(1).AddHours(14).ToOffset(TimeSpan.FromHours(1)).ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(Soon.AddDays(1).AddHours(14), (await moved.JsonAsync()).GetProperty("start").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, (await a.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/cancel", new { reason = "client-asked" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await a.Client.PostAsync(new Uri($"/api/staff/appointments/{appointmentId}/complete", UriKind.Relative), null)).StatusCode);

        // Each change is in the audit trail, by whom, with ids only.
        var trail = await (await admin.GetAsync(new Uri($"/api/staff/audit?subject={appointmentId}", UriKind.Relative))).JsonAsync();
        var changes = trail.EnumerateArray().Where(e => e.GetProperty("action").GetString()!.StartsWith("appointment.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["appointment.book", "appointment.cancel", "appointment.reschedule"], changes.Select(e => e.GetProperty("action").GetString()).Order(StringComparer.Ordinal));
        Assert.All(changes, e => Assert.Equal("Therapist", e.GetProperty("actorRole").GetString()));

        var bad = await admin.PostAsJsonAsync("/api/staff/appointments", new { therapistId = a.Id, clientId = client, start = "2027-04-06T10:00:00", format = "phone" }); // no offset
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["format", "start"], (await bad.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        var freeText = await a.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/cancel", new { reason = "She told me about her divorce" });
        Assert.Equal(HttpStatusCode.BadRequest, freeText.StatusCode);
    }

    [Fact]
    public async Task BookingForARequest_MarksItBooked_AndEndsItsFollowUps()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Books A Request");
        var intake = await app.SubmitIntakeAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.AssignAsync(intake, therapist.Id)).StatusCode);
        var client = (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();

        var booked = await therapist.Client.PostAsJsonAsync("/api/staff/appointments", new
        {
            therapistId = therapist.Id, clientId = client, intakeId = intake, start = Soon.AddDays(2).AddHours(15).ToString("O", System.Globalization.CultureInfo.InvariantCulture), format = "video",
        });

        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var detail = await (await admin.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync();
        Assert.Equal("booked", detail.GetProperty("status").GetString());
        var planned = detail.GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("status").GetString() == "planned").Select(m => m.GetProperty("kind").GetString()).ToList();
        Assert.DoesNotContain(planned, kind => kind is "gentle-check-in" or "closing-note" or "scheduled-check-in");
        Assert.Contains("session-booked", planned);
        var appointmentId = (await booked.JsonAsync()).GetProperty("appointmentId").GetGuid();
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM appointments WHERE id = '{appointmentId}' AND request_booked_at IS NOT NULL"));
    }

    [Fact]
    public async Task ABookingLeftBetweenItsSteps_IsFinishedByTheSweep()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Half Booked");
        var intake = await app.SubmitIntakeAsync();
        var client = (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();

        // Step 1 happened (the session is on the calendar); the process died before step 2.
        await ScalarAsync($"""
            WITH made AS (
                INSERT INTO appointments (id, therapist_id, client_id, intake_request_id, starts_at, ends_at, format, status, sequence, created_at, updated_at)
                VALUES ('{Guid.CreateVersion7()}', '{therapist.Id}', '{client}', '{intake}', '{Soon.AddDays(3).AddHours(15):O}', '{Soon.AddDays(3).AddHours(15).AddMinutes(50):O}', 'Video', 'Confirmed', 0, now() - interval '5 minutes', now())
                RETURNING 1)
            SELECT count(*) FROM made
            """);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<Jobs.BookingSweep>().RunAsync(CancellationToken.None) >= 1);
        }

        var detail = await (await admin.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync();
        Assert.Equal("booked", detail.GetProperty("status").GetString());
        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM appointments WHERE intake_request_id = '{intake}' AND request_booked_at IS NULL"));
    }

    [Fact]
    public async Task ABookingResentWithItsIdempotencyKey_IsStoredOnce_AndAnswersTheSame()
    {
        using var admin = await app.SignInAsAdminAsync();
        var therapist = await app.AddTherapistAsync(admin, "Double Click");
        var client = await ClientAsync(admin);
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Post(string start) => new(HttpMethod.Post, "/api/staff/appointments")
        {
            Content = JsonContent.Create(new { therapistId = therapist.Id, clientId = client, start, format = "video" }),
            Headers = { { "Idempotency-Key", key } },
        };
        var start = Soon.AddDays(4).AddHours(15).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        var first = await admin.SendAsync(Post(start));
        var again = await admin.SendAsync(Post(start));
        var other = await admin.SendAsync(Post(Soon.AddDays(5).AddHours(15).ToString("O", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal((await first.JsonAsync()).GetProperty("appointmentId").GetGuid(), (await again.JsonAsync()).GetProperty("appointmentId").GetGuid());
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal(1, await ScalarAsync($"SELECT count(*) FROM appointments WHERE therapist_id = '{therapist.Id}'"));
    }

    /// <summary>Midnight UTC a week or more ahead, whenever the tests run (the grains hold the calendar from 90 days back).</summary>
    private static DateTimeOffset Soon { get; } = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(8);

    private async Task<Guid> ClientAsync(HttpClient admin)
    {
        var intake = await app.SubmitIntakeAsync();
        return (await (await admin.GetAsync(new Uri($"/api/staff/intake/{intake}", UriKind.Relative))).JsonAsync()).GetProperty("clientId").GetGuid();
    }

    private static async Task<Guid> TherapistOnlyAsync(HttpClient admin, string name)
    {
        var profile = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName = name, specialties = Array.Empty<string>(), formats = new[] { "video" }, acceptingNewClients = true, timeZone = "UTC",
        });
        Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
        return (await profile.JsonAsync()).GetProperty("id").GetGuid();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
