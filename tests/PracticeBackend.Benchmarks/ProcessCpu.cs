using System.Diagnostics;
using System.Globalization;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// CPU time (user + system) of this process (the app), of the PostgreSQL server's processes, of our helper
/// processes (load generator, SMTP sink), and of the whole machine, read from /proc. Take a <see cref="Snapshot"/>
/// at each end of a window and subtract. What the machine spent beyond those is "others": other processes on
/// the machine (a build next door) and kernel work no process is charged for; a large share means a disturbed run.
/// </summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ: 100 on every Linux this runs on

    /// <summary>Above this share of the machine spent elsewhere, a window is marked disturbed.</summary>
    public const double DisturbedAbove = 0.10;

    /// <param name="AppJit">Time this process spent compiling (JitInfo): start-up and tiering, not steady work.</param>
    public sealed record Snapshot(long WallTimestamp, TimeSpan App, TimeSpan AppJit, TimeSpan? Postgres, TimeSpan Helpers, long MachineBusyTicks, long MachineTotalTicks)
    {
        public Window Since(Snapshot start) => new(
            Stopwatch.GetElapsedTime(start.WallTimestamp, WallTimestamp),
            App - start.App,
            AppJit - start.AppJit,
            Postgres is { } end && start.Postgres is { } begun ? end - begun : null,
            Helpers - start.Helpers,
            FromTicks(MachineBusyTicks - start.MachineBusyTicks),
            FromTicks(MachineTotalTicks - start.MachineTotalTicks));
    }

    /// <param name="MachineBusy">All cores' busy time.</param>
    /// <param name="MachineTotal">All cores' time (wall × cores).</param>
    public sealed record Window(TimeSpan Wall, TimeSpan App, TimeSpan AppJit, TimeSpan? Postgres, TimeSpan Helpers, TimeSpan MachineBusy, TimeSpan MachineTotal)
    {
        public double BusyShare => MachineTotal > TimeSpan.Zero ? MachineBusy / MachineTotal : 0;

        /// <summary>Busy time no process of ours (app, server, helpers) was charged for.</summary>
        public double OthersShare => MachineTotal > TimeSpan.Zero
            ? Math.Max(0, (MachineBusy - App - (Postgres ?? TimeSpan.Zero) - Helpers) / MachineTotal)
            : 0;

        public bool Disturbed => OthersShare > DisturbedAbove;

        public string Describe() => $"machine {BusyShare:0 %} busy, others {OthersShare:0 %}{(Disturbed ? " DISTURBED" : "")}";
    }

    public static Snapshot Take(int? postmasterPid, params int[] helperPids)
    {
        using var self = Process.GetCurrentProcess();
        var (busy, total) = Machine();
        var helpers = helperPids.Select(Stat).Where(f => f is not null).Sum(f => Ticks(f!, 11) + Ticks(f!, 12));
        return new Snapshot(Stopwatch.GetTimestamp(), self.TotalProcessorTime, System.Runtime.JitInfo.GetCompilationTime(),
            postmasterPid is { } pid ? ServerTree(pid) : null, FromTicks(helpers), busy, total);
    }

    /// <summary>
    /// Waits (up to <paramref name="limit"/>) for a second in which the machine spent at most
    /// <see cref="DisturbedAbove"/> of its time outside our processes: this machine is shared (a test run next door
    /// takes both cores), and a measurement beside it measures the neighbour.
    /// </summary>
    public static async Task WaitForQuietAsync(int? postmasterPid, TimeSpan limit, params int[] helperPids)
    {
        var clock = Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            var start = Take(postmasterPid, helperPids);
            await Task.Delay(1000);
            var second = Take(postmasterPid, helperPids).Since(start);
            if (!second.Disturbed)
            {
                if (said)
                {
                    Console.WriteLine($"  (quiet after {clock.Elapsed.TotalSeconds:0} s)");
                }

                return;
            }

            if (!said)
            {
                Console.WriteLine($"  (waiting for a quiet machine: others {second.OthersShare:0 %}; up to {limit.TotalMinutes:0} min)");
                said = true;
            }

            if (clock.Elapsed > limit)
            {
                Console.WriteLine("  (still busy; measuring anyway, and the line says DISTURBED)");
                return;
            }
        }
    }

    private static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond);

    /// <summary>The parent of a local process (a backend's parent is the postmaster); null when it cannot be read (a remote server).</summary>
    public static int? ParentOf(int pid) => Stat(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    /// <summary>
    /// The postmaster's own time plus its reaped children's, plus every living child's: a backend that ends
    /// inside a window moves from the second sum into the first, so differences stay right.
    /// </summary>
    private static TimeSpan? ServerTree(int postmasterPid)
    {
        if (Stat(postmasterPid) is not { } postmaster)
        {
            return null;
        }

        var ticks = Ticks(postmaster, 11) + Ticks(postmaster, 12) + Ticks(postmaster, 13) + Ticks(postmaster, 14);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } child && child[1] == postmasterPid.ToString(CultureInfo.InvariantCulture))
            {
                ticks += Ticks(child, 11) + Ticks(child, 12);
            }
        }

        return FromTicks(ticks);
    }

    /// <summary>
    /// CPU ticks (user + system) of a process's threads whose name starts with <paramref name="threadPrefix"/>
    /// (".NET Tiered Com": the runtime's tiered-compilation thread), and of all its threads.
    /// </summary>
    public static (long Named, long All) ThreadTicks(int pid, string threadPrefix)
    {
        long named = 0, all = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            if (StatAt(Path.Combine(task, "stat")) is not { } fields)
            {
                continue; // the thread ended meanwhile
            }

            var ticks = Ticks(fields, 11) + Ticks(fields, 12);
            all += ticks;
            if (fields.Length > 0 && ReadOrEmpty(Path.Combine(task, "comm")).StartsWith(threadPrefix, StringComparison.Ordinal))
            {
                named += ticks;
            }
        }

        return (named, all);
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Fields of /proc/PID/stat after the command name: [0] is field 3 (state), [1] the parent, [11]/[12] utime/stime, [13]/[14] the children's.</summary>
    private static string[]? Stat(int pid) => StatAt($"/proc/{pid}/stat");

    private static string[]? StatAt(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);

    private static (long Busy, long Total) Machine()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var first = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = first.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + values[4];
        var total = values.Sum();
        return (total - idle, total);
    }
}
