using System.Globalization;
using PracticeBackend.Testing;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// docs/benchmarks.md, reproduced by:
///   dotnet run -c Release --project tests/PracticeBackend.Benchmarks [-- all | intake | bookings | nodes | drain [n] | n] [--seconds s] [--trace] [--no-write]
///   dotnet run -c Release --project tests/PracticeBackend.Benchmarks -- slots   (BenchmarkDotNet: slot computation by window)
/// The same binary, re-launched, is also the load generator (<c>load …</c>) and the SMTP sink (<c>sink</c>),
/// so that the app's process holds nothing but the app.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        switch (args.FirstOrDefault())
        {
            case LoadGenerator.Verb:
                return await LoadGenerator.RunAsync(args[1..]);
            case SinkProcess.Verb:
                return await SinkProcess.ServeAsync();
            case "slots":
                // BenchmarkDotNet's own runner (it builds and runs the benchmark in processes of its own).
                BenchmarkDotNet.Running.BenchmarkRunner.Run<SlotBenchmarks>(args: args[1..]);
                return 0;
        }

        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(e.Message + "\n" + BenchmarkOptions.Usage);
            return 2;
        }

        if (options.Trace == ProfilerKind.Perf && !PerfProfiler.ProcessIsReady)
        {
            return await SelfProcess.RunAgainAsync(args, PerfProfiler.Environment);
        }

        return await RunAsync(options);
    }

    private static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("bench");
        var server = await PostgresServer.InspectAsync(connectionString);
        var report = new Report(options, server);
        report.PrintHeader();

        Baseline? baseline = null;
        if (options.Intake || options.Bookings || options.Nodes)
        {
            baseline = await Baseline.RunAsync(connectionString, server, options.Seconds, report);
        }

        if (options.Nodes)
        {
            // Node processes of their own, and nothing of the app in this process meanwhile.
            await new NodesRun(baseline!, report, options, server).RunAsync();
            report.PrintGoals();
            if (options.WriteDocs)
            {
                report.WriteToDocs();
            }

            return 0;
        }

        await using var sink = await SinkProcess.StartAsync();
        await using var app = await BenchApp.StartAsync(connectionString, sink.Port, server);
        if (options.Intake)
        {
            await new IntakeRun(app, sink, baseline!, report, options).RunAsync();
        }

        if (options.Bookings)
        {
            await new BookingRun(app, sink, baseline!, report, options).RunAsync();
        }

        if (options.Drain)
        {
            await new DrainRun(app, sink, report).RunAsync(options.DrainMessages);
        }

        report.PrintGoals();
        if (options.WriteDocs)
        {
            report.WriteToDocs();
        }

        return 0;
    }
}

/// <summary>What to measure, from the command line.</summary>
public sealed record BenchmarkOptions(bool Intake, bool Drain, int DrainMessages, int Seconds, ProfilerKind Trace, bool WriteDocs, string CommandLine, bool Bookings = true, bool Nodes = false)
{
    public const string Usage =
        "usage: dotnet run -c Release --project tests/PracticeBackend.Benchmarks -- [all | intake | bookings | nodes | drain [messages] | messages] [--seconds s] [--trace [perf | dotnet-trace]] [--no-write]";

    public static BenchmarkOptions Parse(string[] args)
    {
        var intake = true;
        var drain = true;
        var bookings = true;
        var nodes = false;
        var messages = 5000;
        var seconds = 10;
        var trace = ProfilerKind.None;
        var write = true;
        var rest = new Queue<string>(args);
        while (rest.TryDequeue(out var arg))
        {
            switch (arg)
            {
                case "all":
                    break;
                case "intake":
                    drain = false;
                    bookings = false;
                    break;
                case "bookings":
                    intake = false;
                    drain = false;
                    break;
                case "nodes":
                    intake = false;
                    drain = false;
                    bookings = false;
                    nodes = true;
                    break;
                case "drain":
                    intake = false;
                    bookings = false;
                    if (rest.TryPeek(out var count) && int.TryParse(count, CultureInfo.InvariantCulture, out messages))
                    {
                        rest.Dequeue();
                    }
                    else
                    {
                        messages = 5000;
                    }

                    break;
                case "--seconds":
                    seconds = Positive(rest.TryDequeue(out var s) ? s : "", arg);
                    break;
                case "--trace":
                    trace = rest.TryPeek(out var tool) && tool == "dotnet-trace" ? ProfilerKind.DotnetTrace
                        : File.Exists("/usr/bin/perf") ? ProfilerKind.Perf : ProfilerKind.DotnetTrace;
                    if (tool is "perf" or "dotnet-trace")
                    {
                        rest.Dequeue();
                    }

                    break;
                case "--no-write":
                    write = false;
                    break;
                default:
                    messages = Positive(arg, "a drain size");
                    break;
            }
        }

        // A traced run is slowed by the profiler: its numbers are not results.
        return new BenchmarkOptions(intake, drain, messages, seconds, trace, write && trace == ProfilerKind.None,
            "dotnet run -c Release --project tests/PracticeBackend.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(' ', args) : ""), bookings, nodes);
    }

    private static int Positive(string text, string what) =>
        int.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"Expected a positive number for {what}, got \"{text}\".");
}
