using System.Net;
using System.Net.Http.Json;
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
            therapistId = therapist.Id, clientId = client, start = "2027-04-05T09:00:00-05:00", format = "video",
        })));

        var created = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        var booked = await created.JsonAsync();
        Assert.Equal("2027-04-05T14:50:00+00:00", booked.GetProperty("end").GetDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
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
        var monday = new DateTimeOffset(2027, 4, 5, 8, 0, 0, TimeSpan.Zero);
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

        object Booking(Guid therapist, Guid person) => new { therapistId = therapist, clientId = person, start = "2027-04-06T10:00:00+01:00", format = "in-person" };
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.PostAsJsonAsync("/api/staff/appointments", Booking(b.Id, client))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.PostAsJsonAsync("/api/staff/appointments", Booking(a.Id, stranger))).StatusCode);
        var own = await a.Client.PostAsJsonAsync("/api/staff/appointments", Booking(a.Id, client));
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var appointmentId = (await own.JsonAsync()).GetProperty("appointmentId").GetGuid();

        // B cannot move or cancel A's session; A can, once.
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/cancel", new { reason = "client-asked" })).StatusCode);
        var moved = await a.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/reschedule", new { start = "2027-04-06T15:00:00+01:00" });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(new DateTimeOffset(2027, 4, 6, 14, 0, 0, TimeSpan.Zero), (await moved.JsonAsync()).GetProperty("start").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, (await a.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/cancel", new { reason = "client-asked" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await a.Client.PostAsync(new Uri($"/api/staff/appointments/{appointmentId}/complete", UriKind.Relative), null)).StatusCode);

        var bad = await admin.PostAsJsonAsync("/api/staff/appointments", new { therapistId = a.Id, clientId = client, start = "2027-04-06T10:00:00", format = "phone" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(["format", "start"], (await bad.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        var freeText = await a.Client.PostAsJsonAsync($"/api/staff/appointments/{appointmentId}/cancel", new { reason = "She told me about her divorce" });
        Assert.Equal(HttpStatusCode.BadRequest, freeText.StatusCode);
    }

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
