using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// The load, from a process of its own: <c>load URL CONCURRENCY SECONDS [BOOKING-PLAN]</c>. Each of CONCURRENCY
/// clients has its own keep-alive connection and sends one <c>POST /api/intake</c> after another, each from a new
/// person (a fresh email); or, given a <see cref="BookingPlan"/> file, one staff <c>POST /api/staff/appointments</c>
/// after another, each at a time no other request asks for (round robin over the plan's calendars, an hour apart). It warms up until told <c>warmed</c> on its input (the parent watches the app's JIT settle), prints
/// <c>{"Event":"ready"}</c>, waits for <c>go</c>, measures for SECONDS (requests begun before the deadline, all
/// awaited) and prints one result line.
/// Why our own binary and not wrk: nothing to install, a fresh address per request without Lua, every latency
/// kept (exact percentiles), every status checked, the warm-up under the parent's control, and its own CPU
/// reported beside the app's. Its cost (~0.4 ms CPU per request) is printed, so the reader can weigh it.
/// </summary>
public static class LoadGenerator
{
    public const string Verb = "load";

    /// <summary>NaN percentiles (no successful request) must still travel.</summary>
    internal static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(args[0]);
        var concurrency = int.Parse(args[1], CultureInfo.InvariantCulture);
        var measured = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));

        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
        IBodies people = args.Length > 3
            ? new Bookings(JsonSerializer.Deserialize<BookingPlan>(await File.ReadAllTextAsync(args[3])) ?? throw new FormatException("No booking plan."))
            : new People();

        var warmed = false;
        var warming = RunClientsAsync(http, people, concurrency, () => !Volatile.Read(ref warmed));
        if (await Console.In.ReadLineAsync() != "warmed")
        {
            return 1;
        }

        Volatile.Write(ref warmed, true);
        var warm = await warming;
        await Print(new LoadMessage("ready", warm.Latencies.Count, warm.Failed));
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 1;
        }

        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var deadline = Stopwatch.GetTimestamp() + (long)(measured.TotalSeconds * Stopwatch.Frequency);
        var run = await RunClientsAsync(http, people, concurrency, () => Stopwatch.GetTimestamp() < deadline);
        self.Refresh();
        await Print(new LoadMessage("result", run.Latencies.Count, run.Failed)
        {
            Seconds = run.Elapsed.TotalSeconds,
            Latency = Latency.Of(run.Latencies),
            CpuMilliseconds = (self.TotalProcessorTime - cpu).TotalMilliseconds,
        });
        return 0;
    }

    private static async Task<(List<double> Latencies, int Failed, TimeSpan Elapsed)> RunClientsAsync(HttpClient http, IBodies people, int concurrency, Func<bool> more)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = 0;
        var perClient = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var latencies = new List<double>(4096);
            while (more())
            {
                var begun = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Post, people.Path) { Content = new ByteArrayContent(people.NextForm()) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                if (people.Cookie is { } cookie)
                {
                    request.Headers.Add("Cookie", cookie);
                }

                using var response = await http.SendAsync(request);
                var answer = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(begun).TotalMilliseconds);
                }
                else if (Interlocked.Increment(ref failed) <= 3)
                {
                    await Console.Error.WriteLineAsync($"load: {(int)response.StatusCode} {answer}");
                }
            }

            return latencies;
        }));
        return ([.. perClient.SelectMany(l => l)], failed, Stopwatch.GetElapsedTime(started));
    }

    private static async Task Print(LoadMessage message) => await Console.Out.WriteLineAsync(JsonSerializer.Serialize(message, Json));

    private interface IBodies
    {
        string Path { get; }

        string? Cookie { get; }

        byte[] NextForm();
    }

    /// <summary>One new person per request: the form the public site posts, with a never-used address.</summary>
    private sealed class People : IBodies
    {
        private readonly string _run = Guid.NewGuid().ToString("N")[..10];
        private int _next;

        public string Path => "/api/intake";

        public string? Cookie => null;

        public byte[] NextForm() => Encoding.UTF8.GetBytes(
            $$$"""{"name":"Bench","email":"intake.{{{_run}}}.{{{Interlocked.Increment(ref _next)}}}@example.org","pace":"gentle","message":"A short message of the usual length.","consent":{"contact":true,"version":"2026-11"}}""");
    }

    /// <summary>Staff bookings that never ask for the same time: request n books calendar n mod T, an hour after the one before it there.</summary>
    private sealed class Bookings(BookingPlan plan) : IBodies
    {
        private int _next = -1;

        public string Path => "/api/staff/appointments";

        public string? Cookie => plan.Cookie;

        public byte[] NextForm()
        {
            var n = Interlocked.Increment(ref _next);
            var start = plan.FirstStart.AddMinutes(plan.StepMinutes * (n / plan.Therapists.Length));
            return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                therapistId = plan.Therapists[n % plan.Therapists.Length],
                clientId = plan.Clients[n % plan.Clients.Length],
                start = start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                format = "video",
            }));
        }
    }
}

/// <summary>What the load generator books: as whom (a signed-in admin's cookie), on which calendars, for which clients, from when, how far apart.</summary>
public sealed record BookingPlan(string Cookie, Guid[] Therapists, Guid[] Clients, DateTimeOffset FirstStart, int StepMinutes);

/// <summary>One line the load generator prints.</summary>
public sealed record LoadMessage(string Event, int Requests, int Failed)
{
    public double Seconds { get; init; }

    public Latency? Latency { get; init; }

    /// <summary>The load generator's own CPU time over the measured window.</summary>
    public double CpuMilliseconds { get; init; }
}

/// <summary>The parent's handle on one load generator.</summary>
public sealed class LoadProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LoadProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;

    /// <summary>Starts the load generator; it warms up until <see cref="EndWarmupAsync"/>.</summary>
    public static LoadProcess Start(Uri url, int concurrency, int seconds, string? bookingPlan = null) =>
        new(SelfProcess.Start([LoadGenerator.Verb, url.ToString(), concurrency.ToString(CultureInfo.InvariantCulture),
            seconds.ToString(CultureInfo.InvariantCulture), .. bookingPlan is null ? Array.Empty<string>() : [bookingPlan]]));

    /// <summary>Ends the warm-up and waits for its last requests; returns it.</summary>
    public async Task<LoadMessage> EndWarmupAsync()
    {
        await _process.StandardInput.WriteLineAsync("warmed");
        await _process.StandardInput.FlushAsync();
        return await ReadAsync("ready");
    }

    /// <summary>Starts the measured window and waits for it to end.</summary>
    public async Task<LoadMessage> MeasureAsync()
    {
        await _process.StandardInput.WriteLineAsync("go");
        await _process.StandardInput.FlushAsync();
        return await ReadAsync("result");
    }

    private async Task<LoadMessage> ReadAsync(string expected)
    {
        var line = await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The load generator ended early.");
        var message = JsonSerializer.Deserialize<LoadMessage>(line, LoadGenerator.Json) ?? throw new InvalidOperationException("Unreadable: " + line);
        return message.Event == expected ? message : throw new InvalidOperationException($"Expected {expected}, got: {line}");
    }

    public async ValueTask DisposeAsync() => await SelfProcess.StopAsync(_process);
}
