using System.Diagnostics;
using Hangfire;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// <c>POST /api/intake</c> over HTTP from <see cref="LoadGenerator"/> (another process), one new person per
/// request, at 8 clients and at 1, while Hangfire delivers their acknowledgements (as in production), and the
/// app process's CPU per intake. Each window starts with every earlier acknowledgement delivered, so the
/// sends it contains are its own; its CPU is counted twice: over the window alone, and until its last
/// acknowledgement has reached the sink (the full cost of an intake).
/// </summary>
public sealed class IntakeRun(BenchApp app, SinkProcess sink, Baseline baseline, Report report, BenchmarkOptions options)
{
    private static readonly TimeSpan AcknowledgementsWithin = TimeSpan.FromMinutes(10);

    /// <summary>Intakes stored so far; each planned one acknowledgement, due at once.</summary>
    private int _intakes;

    public sealed record Result(
        int Clients,
        LoadMessage Load,
        double RequestsPerSecond,
        TimeSpan Warmup,
        ProcessCpu.Window Window,
        int AcknowledgementsInWindow,
        ProcessCpu.Window UntilAcknowledged)
    {
        public double CpuPerIntakeInWindow => Window.App.TotalMilliseconds / Load.Requests;

        public double CpuPerIntake => UntilAcknowledged.App.TotalMilliseconds / Load.Requests;

        public double? PostgresCpuPerIntake => UntilAcknowledged.Postgres?.TotalMilliseconds / Load.Requests;

        /// <summary>
        /// The app's CPU per intake and per acknowledgement sent, apart: the window holds every intake and
        /// some of their acknowledgements, the whole run all of them, so window = I + (acks in window ÷ intakes)·A
        /// and whole = I + A. Null when the window sent (nearly) all its acknowledgements: then the two
        /// lines cannot tell the two costs apart.
        /// </summary>
        public (double Intake, double Acknowledgement)? Split()
        {
            var share = (double)AcknowledgementsInWindow / Load.Requests;
            if (share > 0.8)
            {
                return null;
            }

            var acknowledgement = (CpuPerIntake - CpuPerIntakeInWindow) / (1 - share);
            return (CpuPerIntake - acknowledgement, acknowledgement);
        }
    }

    public async Task RunAsync()
    {
        report.Section("Intake over HTTP: the whole app in this process, the load from another, acknowledgements sent by Hangfire meanwhile");
        var idle = await IdleAsync();
        report.Line("app idle (silo, Hangfire polling), 5 s after 5 s of rest",
            $"{idle.App.TotalMilliseconds / idle.Wall.TotalSeconds:0.0} ms CPU per second; {idle.Describe()}");

        var eight = await MeasureAsync(Baseline.Connections, TimeSpan.FromSeconds(10), trace: options.Trace != ProfilerKind.None);
        Print(eight, baseline.Eight, "raw INSERT commits/s (8)");
        var one = await MeasureAsync(1, TimeSpan.FromSeconds(5), trace: false);
        Print(one, baseline.One, "raw INSERT commits/s (1)");

        var jobs = NoOp.Batch.Begin(app);
        var enqueue = InlineEnqueue(1000);
        report.Line("Hangfire Enqueue (no-op job), 1000 sequential calls (inline enqueue's cost)",
            $"{enqueue:0.00} ms per enqueue", Report.Ratio(enqueue / baseline.One.Latency.P50, "raw INSERT p50 (1)"));
        await jobs.WaitAsync(1000, TimeSpan.FromMinutes(5));

        report.Goal("app CPU ≤ 1 ms per intake (8 clients, with its acknowledgement)", $"{eight.CpuPerIntake:0.00} ms", eight.CpuPerIntake <= 1);
        if (eight.Split() is { } split)
        {
            report.Goal("app CPU ≤ 1 ms per intake (8 clients, the intake alone)", $"{split.Intake:0.00} ms", split.Intake <= 1);
        }

        var share = eight.RequestsPerSecond / baseline.Eight.CommitsPerSecond;
        report.Goal("intake at 8 clients ≥ 15 % of raw INSERT commits/s", $"{share:0.0 %} ({eight.RequestsPerSecond:0.0} of {baseline.Eight.CommitsPerSecond:0})", share >= 0.15);
        report.Goal("p50 at 1 client ≤ 5 ms", $"{one.Load.Latency!.P50:0.00} ms", one.Load.Latency.P50 <= 5);
        report.Goal("p99 at 8 clients ≤ 50 ms", $"{eight.Load.Latency!.P99:0.00} ms", eight.Load.Latency.P99 <= 50);
    }

    private void Print(Result result, RawInserts raw, string baselineName)
    {
        var clients = result.Clients == 1 ? "1 client" : $"{result.Clients} clients";
        var traced = options.Trace != ProfilerKind.None && result.Clients > 1 ? " TRACED" : "";
        var failed = result.Load.Failed > 0 ? $" {result.Load.Failed} FAILED" : "";
        report.Line($"intake, {clients}, {options.Seconds} s after {result.Warmup.TotalSeconds:0} s warm-up{failed}{traced}",
            $"{result.RequestsPerSecond:0.0} requests/s; {result.Load.Latency!.Describe()}; {result.Window.Describe()}",
            Report.Ratio(result.RequestsPerSecond / raw.CommitsPerSecond, baselineName));
        report.Line($"  app CPU per intake, window only ({result.AcknowledgementsInWindow} of {result.Load.Requests} acks sent in it)",
            $"{result.CpuPerIntakeInWindow:0.00} ms (JIT {result.Window.AppJit.TotalMilliseconds / result.Load.Requests:0.00} ms of it)", Report.Ratio(result.CpuPerIntakeInWindow / baseline.Eight.ClientCpuMilliseconds, "client CPU per raw INSERT"));
        report.Line("  app CPU per intake, until all its acks were delivered",
            $"{result.CpuPerIntake:0.00} ms ({result.UntilAcknowledged.Wall.TotalSeconds:0.0} s)",
            Report.Ratio(result.CpuPerIntake / baseline.Eight.ClientCpuMilliseconds, "client CPU per raw INSERT"));
        if (result.Split() is { } split)
        {
            report.Line("  of which the intake itself, and each acknowledgement's send (solved from the two lines above)",
                $"{split.Intake:0.00} ms + {split.Acknowledgement:0.00} ms",
                Report.Ratio(split.Intake / baseline.Eight.ClientCpuMilliseconds, "client CPU per raw INSERT (intake alone)"));
        }

        if (result.PostgresCpuPerIntake is { } database && baseline.Eight.PostgresCpuMilliseconds is { } raw1)
        {
            report.Line("  PostgreSQL CPU per intake, until all its acks were delivered", $"{database:0.00} ms",
                Report.Ratio(database / raw1, "PostgreSQL CPU per raw INSERT"));
        }

        report.Line("  load generator's own CPU per request (same 2 cores)", $"{result.Load.CpuMilliseconds / result.Load.Requests:0.00} ms");
    }

    /// <summary>The app's own background cost, once start-up (and its JIT) has settled.</summary>
    private async Task<ProcessCpu.Window> IdleAsync()
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        var start = app.Cpu(sink.ProcessId);
        await Task.Delay(TimeSpan.FromSeconds(5));
        return app.Cpu(sink.ProcessId).Since(start);
    }

    private async Task<Result> MeasureAsync(int clients, TimeSpan minimumWarmup, bool trace)
    {
        await using var load = LoadProcess.Start(app.BaseAddress, clients, options.Seconds);
        var warmup = await app.WarmUpAsync(minimumWarmup, sink.ProcessId, load.ProcessId);
        var warm = await load.EndWarmupAsync();
        _intakes += warm.Requests;
        await sink.WaitForAsync(_intakes, AcknowledgementsWithin);
        await app.WaitForQuietAsync(sink.ProcessId, load.ProcessId);

        var profiler = trace ? await Profiler.StartAsync(options.Trace, BenchApp.ProcessId, TimeSpan.FromSeconds(options.Seconds)) : null;
        int[] ours = profiler is null ? [sink.ProcessId, load.ProcessId] : [sink.ProcessId, load.ProcessId, profiler.ProcessId];
        var acknowledged = await sink.ReceivedAsync();
        var start = app.Cpu(ours);
        var result = await load.MeasureAsync();
        var end = app.Cpu(ours);
        var acknowledgedInWindow = await sink.ReceivedAsync() - acknowledged;
        _intakes += result.Requests;
        await sink.WaitForAsync(_intakes, AcknowledgementsWithin);
        var settled = app.Cpu(ours);

        if (profiler is not null)
        {
            Console.WriteLine($"trace of the {clients}-client window: {profiler.File}");
            Console.Write(await profiler.ReportAsync());
        }

        return new Result(clients, result, result.Requests / result.Seconds, warmup, end.Since(start), acknowledgedInWindow, settled.Since(start));
    }

    /// <summary>What enqueueing a Hangfire job inside the intake request would add to it, per request.</summary>
    private double InlineEnqueue(int count)
    {
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            jobs.Enqueue(() => NoOp.Run());
        }

        return clock.Elapsed.TotalMilliseconds / count;
    }
}
