using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// <c>POST /api/staff/appointments</c> over HTTP, as an admin: non-conflicting bookings across 50 calendars
/// for 1000 people from <see cref="LoadGenerator"/> (another process, 8 clients), each with its steps (the person's
/// correspondence told, a note and a reminder planned), beside raw INSERT commits/s measured in the same
/// run; then the contention case, a hundred staff at once for one time on one calendar, ten times over.
/// </summary>
public sealed class BookingRun(BenchApp app, SinkProcess sink, Baseline baseline, Report report, BenchmarkOptions options)
{
    public const int Calendars = 50;

    /// <summary>People booked for, round robin: as in a practice, each has a few sessions, not hundreds.</summary>
    public const int People = 1000;
    public const int Racers = 100;
    private const int RaceRounds = 10;

    public async Task RunAsync()
    {
        report.Section("Bookings over HTTP: the app in this process, the load from another");
        var (admin, cookie) = await SignInAsync();
        var therapists = new Guid[Calendars];
        for (var i = 0; i < Calendars; i++)
        {
            therapists[i] = await TherapistAsync(admin, $"Bench Calendar {i}");
        }

        var clients = new Guid[People];
        for (var i = 0; i < People; i++)
        {
            clients[i] = await ClientAsync(admin);
        }

        var plan = Path.GetTempFileName();
        await File.WriteAllTextAsync(plan, JsonSerializer.Serialize(new BookingPlan(
            cookie, therapists, clients, new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(3), StepMinutes: 60)));

        await using (var load = LoadProcess.Start(app.BaseAddress, Baseline.Connections, options.Seconds, plan))
        {
            var warmup = await app.WarmUpAsync(TimeSpan.FromSeconds(10), sink.ProcessId, load.ProcessId);
            var warm = await load.EndWarmupAsync();
            await app.WaitForQuietAsync(sink.ProcessId, load.ProcessId);
            var profiler = options.Trace != ProfilerKind.None ? await Profiler.StartAsync(options.Trace, BenchApp.ProcessId, TimeSpan.FromSeconds(options.Seconds)) : null;
            int[] ours = profiler is null ? [sink.ProcessId, load.ProcessId] : [sink.ProcessId, load.ProcessId, profiler.ProcessId];
            var start = app.Cpu(ours);
            var result = await load.MeasureAsync();
            var window = app.Cpu(ours).Since(start);
            if (profiler is not null)
            {
                Console.WriteLine($"trace of the booking window: {profiler.File}");
                Console.Write(await profiler.ReportAsync());
            }

            var perSecond = result.Requests / result.Seconds;
            var share = perSecond / baseline.Eight.CommitsPerSecond;
            var failed = result.Failed + warm.Failed > 0 ? $" {result.Failed + warm.Failed} FAILED" : "";
            report.Line($"bookings, 8 clients, {Calendars} calendars, {options.Seconds} s after {warmup.TotalSeconds:0} s warm-up ({warm.Requests} bookings){failed}",
                $"{perSecond:0.0} bookings/s; {result.Latency!.Describe()}; {window.Describe()}",
                Report.Ratio(share, "raw INSERT commits/s (8)"));
            var cpu = window.App.TotalMilliseconds / result.Requests;
            report.Line("  app CPU per booking (with its steps; the note and reminder it plans go later, in the send window)",
                $"{cpu:0.00} ms", Report.Ratio(cpu / baseline.Eight.ClientCpuMilliseconds, "client CPU per raw INSERT"));
            if (window.Postgres is { } postgres && baseline.Eight.PostgresCpuMilliseconds is { } raw)
            {
                report.Line("  PostgreSQL CPU per booking", $"{postgres.TotalMilliseconds / result.Requests:0.00} ms", Report.Ratio(postgres.TotalMilliseconds / result.Requests / raw, "PostgreSQL CPU per raw INSERT"));
            }

            report.Goal("bookings at 8 clients ≥ 10 % of raw INSERT commits/s", $"{share:0.0 %} ({perSecond:0.0} of {baseline.Eight.CommitsPerSecond:0})", share >= 0.10);
        }

        File.Delete(plan);
        await RaceAsync(admin, clients[0]);
        admin.Dispose();
    }

    /// <summary>A hundred staff at once for one time on one (fresh) calendar: exactly one 201 each round, and how long everyone waited.</summary>
    private async Task RaceAsync(HttpClient admin, Guid client)
    {
        var latencies = new List<double>();
        var wrong = 0;
        for (var round = 0; round < RaceRounds; round++)
        {
            var therapist = await TherapistAsync(admin, $"Bench Race {round}");
            var start = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(4).AddHours(round);
            var body = JsonContent.Create(new { therapistId = therapist, clientId = client, start = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), format = "video" });
            await body.LoadIntoBufferAsync();
            var answers = await Task.WhenAll(Enumerable.Range(0, Racers).Select(async _ =>
            {
                var begun = Stopwatch.GetTimestamp();
                using var response = await admin.PostAsync("/api/staff/appointments", body);
                return (response.StatusCode, Stopwatch.GetElapsedTime(begun).TotalMilliseconds);
            }));
            latencies.AddRange(answers.Select(a => a.TotalMilliseconds));
            if (answers.Count(a => a.StatusCode == HttpStatusCode.Created) != 1 || answers.Any(a => a.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict)))
            {
                wrong++;
            }
        }

        var latency = Latency.Of(latencies);
        report.Line($"{Racers} staff at once for one time, {RaceRounds} rounds{(wrong > 0 ? $" {wrong} ROUNDS WRONG" : "")}",
            $"one 201 and {Racers - 1} 409s a round; {latency.Describe()}, max {latency.Max:0.00} ms");
    }

    /// <summary>An admin's sign-in, and its cookie as a request header (this client keeps no cookies of its own).</summary>
    private async Task<(HttpClient Admin, string Cookie)> SignInAsync()
    {
        var client = app.CreateClient();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email = BenchApp.AdminEmail, password = BenchApp.AdminPassword });
        login.EnsureSuccessStatusCode();
        var cookie = string.Join("; ", login.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return (client, cookie);
    }

    private static async Task<Guid> TherapistAsync(HttpClient admin, string name)
    {
        var created = await admin.PostAsJsonAsync("/api/staff/therapists", new { displayName = name, formats = new[] { "video" }, acceptingNewClients = true, timeZone = "America/Chicago" });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> ClientAsync(HttpClient admin)
    {
        var intake = await admin.PostAsJsonAsync("/api/intake", new
        {
            name = "Bench", email = $"booking.{Guid.NewGuid():N}@example.org", pace = "when-ready", message = "A short message.", consent = new { contact = true, version = "2026-11" },
        });
        intake.EnsureSuccessStatusCode();
        var id = (await intake.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("intakeId").GetGuid();
        var detail = await admin.GetFromJsonAsync<JsonElement>($"/api/staff/intake/{id}");
        return detail.GetProperty("clientId").GetGuid();
    }
}
