using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PracticeBackend.Benchmarks;

public enum ProfilerKind
{
    None,

    /// <summary>Linux perf, CPU samples of every thread (managed, runtime, JIT, kernel): where the CPU goes.</summary>
    Perf,

    /// <summary>EventPipe's sampler through dotnet-trace: managed stacks of every thread, running or waiting (thread time).</summary>
    DotnetTrace,
}

/// <summary>
/// <c>--trace</c>: a profile of the app's process over the 8-client intake window. A traced window is slowed
/// by the profiler, so its numbers are not results (and nothing is written to docs/benchmarks.md).
/// </summary>
public abstract class Profiler
{
    public const int TopFrames = 15;

    protected Profiler(Process collector, string file)
    {
        Collector = collector;
        File = file;
    }

    public string File { get; }

    /// <summary>The collector's own process: its CPU is ours, not "others".</summary>
    public int ProcessId => Collector.Id;

    protected Process Collector { get; }

    public static async Task<Profiler?> StartAsync(ProfilerKind kind, int processId, TimeSpan duration)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "practice-bench")).FullName;
        var stem = Path.Combine(directory, $"intake-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Profiler? profiler = kind switch
        {
            ProfilerKind.Perf => PerfProfiler.Start(processId, duration, stem + ".perf.data"),
            ProfilerKind.DotnetTrace => DotnetTraceProfiler.Start(processId, duration, stem + ".nettrace"),
            _ => null,
        };
        if (profiler is null)
        {
            return null;
        }

        // Recording once the collector has begun writing its file.
        var clock = Stopwatch.StartNew();
        while (!(System.IO.File.Exists(profiler.File) && new FileInfo(profiler.File).Length > 0))
        {
            if (profiler.Collector.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{profiler.Collector.StartInfo.FileName} did not start recording.");
            }

            await Task.Delay(50);
        }

        await Task.Delay(300);
        return profiler;
    }

    /// <summary>Waits for the collection to end; returns the top frames, exclusive and inclusive.</summary>
    public async Task<string> ReportAsync()
    {
        await Collector.WaitForExitAsync();
        Collector.Dispose();
        return await SummariseAsync();
    }

    protected abstract Task<string> SummariseAsync();

    protected static Process Launch(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + tool);
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    protected static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output;
    }

    protected static string Duration(TimeSpan duration) => $"{duration.Days:00}:{duration.Hours:00}:{duration.Minutes:00}:{duration.Seconds:00}";
}

/// <summary>
/// <c>perf record -e cpu-clock -g</c> on the app's process. perf names JIT-compiled frames from /tmp/perf-PID.map,
/// which the runtime writes only when started with DOTNET_PerfMapEnabled=3 and with W^X off
/// (DOTNET_EnableWriteXorExecute=0; otherwise code runs from a memfd perf cannot map): <see cref="Program"/>
/// re-launches itself with both when asked for this profile. The runtime's and the JIT's own frames are
/// unnamed (their libraries ship without symbols) and are summed per library.
/// </summary>
public sealed partial class PerfProfiler : Profiler
{
    public const string Tool = "perf";

    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["DOTNET_PerfMapEnabled"] = "3",
        ["DOTNET_EnableWriteXorExecute"] = "0",
    };

    private PerfProfiler(Process collector, string file)
        : base(collector, file)
    {
    }

    public static bool ProcessIsReady =>
        Environment.All(e => System.Environment.GetEnvironmentVariable(e.Key) == e.Value);

    public static PerfProfiler Start(int processId, TimeSpan duration, string file) =>
        new(Launch(Tool, "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", processId.ToString(CultureInfo.InvariantCulture),
            "-o", file, "--", "sleep", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)), file);

    protected override async Task<string> SummariseAsync()
    {
        var text = new StringBuilder();
        var libraries = await RunAsync(Tool, "report", "-i", File, "--stdio", "--no-children", "--sort", "dso", "-g", "none");
        text.AppendLine(CultureInfo.InvariantCulture, $"CPU samples by library (perf report -i {File} --no-children --sort dso):");
        foreach (var match in LibraryLine().Matches(libraries).Take(8))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {match.Groups[1].Value,6}%  {match.Groups[2].Value.Trim()}");
        }

        var exclusive = (await RunAsync(Tool, "report", "-i", File, "--stdio", "--no-children", "--sort", "dso,sym", "-g", "none"))
            .Split('\n')
            .Select(l => ExclusiveLine().Match(l))
            .Where(m => m.Success)
            .Select(m => (Percent: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Library: m.Groups[2].Value.Trim(), Symbol: m.Groups[3].Value.Trim()))
            .ToList();
        text.AppendLine("Self CPU by component (managed code by assembly):");
        foreach (var (percent, component) in Top(exclusive.GroupBy(f => Component(f.Library, f.Symbol)), 12))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {percent,6:0.00}%  {component}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Top {TopFrames} frames, exclusive (self) CPU (unnamed runtime frames summed per library):");
        var rank = 0;
        foreach (var (percent, frame) in Top(exclusive.GroupBy(f => f.Symbol.StartsWith("0x", StringComparison.Ordinal) ? $"[{f.Library}, unnamed]" : f.Symbol), TopFrames))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {++rank,2}. {percent,6:0.00}%  {Short(frame)}");
        }

        var inclusive = await RunAsync(Tool, "report", "-i", File, "--stdio", "--children", "--sort", "sym", "-g", "none");
        text.AppendLine(CultureInfo.InvariantCulture, $"Top {TopFrames} named frames, inclusive CPU (perf report --children; thread-pool, task and thread plumbing left out):");
        rank = 0;
        foreach (var match in InclusiveLine().Matches(inclusive)
            .Where(m => !m.Groups[3].Value.StartsWith("0x", StringComparison.Ordinal) && !IsPlumbing(m.Groups[3].Value))
            .Take(TopFrames))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {++rank,2}. {match.Groups[1].Value,6}% (self {match.Groups[2].Value,5}%)  {Short(match.Groups[3].Value.Trim())}");
        }

        return text.ToString();
    }

    private static IEnumerable<(double Percent, string Key)> Top(IEnumerable<IGrouping<string, (double Percent, string Library, string Symbol)>> groups, int count) =>
        groups.Select(g => (Percent: g.Sum(f => f.Percent), g.Key)).OrderByDescending(g => g.Percent).Take(count);

    /// <summary>The kernel, a native library, or a managed frame's assembly ("[Npgsql] …"), dynamic methods and stubs apart.</summary>
    private static string Component(string library, string symbol) =>
        library == "[kernel.kallsyms]" ? "kernel"
        : !library.StartsWith("[JIT]", StringComparison.Ordinal) ? library
        : symbol.StartsWith("stub ", StringComparison.Ordinal) ? "runtime stubs (JIT-generated)"
        : symbol.StartsWith("dynamicClass::", StringComparison.Ordinal) ? "dynamic methods (DI resolvers, compiled expressions)"
        : AssemblyName().Match(symbol) is { Success: true } assembly ? assembly.Groups[1].Value
        : "managed, unknown assembly";

    private static bool IsPlumbing(string symbol) =>
        symbol.Trim() is "start_thread" or "__clone3" or "clone3" or "__libc_start_main" or "_start"
        || symbol.Contains("] System.Threading.", StringComparison.Ordinal)
        || symbol.Contains("] System.Runtime.CompilerServices.", StringComparison.Ordinal)
        || symbol.StartsWith("System.Threading.", StringComparison.Ordinal)
        || symbol.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal);

    /// <summary>"instance void [Assembly] Namespace.Type::Method(args)[Tier]" → "Namespace.Type::Method(args) [Tier]", at most 150 characters.</summary>
    private static string Short(string frame)
    {
        var text = AssemblyPrefix().Replace(frame, "");
        return text.Length <= 150 ? text : text[..147] + "...";
    }

    [GeneratedRegex(@"^\s*([0-9.]+)%\s+(\S.*?)\s*$", RegexOptions.Multiline)]
    private static partial Regex LibraryLine();

    [GeneratedRegex(@"^\s*([0-9.]+)%\s+(\S.*?)\s+\[[.k]\]\s+(.*?)\s*$")]
    private static partial Regex ExclusiveLine();

    [GeneratedRegex(@"^\s*([0-9.]+)%\s+([0-9.]+)%\s+\[[.k]\]\s+(.*?)\s*$", RegexOptions.Multiline)]
    private static partial Regex InclusiveLine();

    [GeneratedRegex(@"^(instance\s+)?[^\[]*\[[^\]]+\]\s+")]
    private static partial Regex AssemblyPrefix();

    [GeneratedRegex(@"^(?:instance\s+)?[^\[]*\[([^\]\s]+)\]\s")]
    private static partial Regex AssemblyName();
}

/// <summary>
/// dotnet-trace (<c>dotnet tool install -g dotnet-trace</c>) with EventPipe's thread-time sampler, and its own
/// <c>report topN</c>. Thread time, not CPU: waiting threads are sampled too, so waits lead both lists; the
/// .nettrace is for PerfView or speedscope (<c>dotnet-trace convert --format Speedscope</c>).
/// </summary>
public sealed class DotnetTraceProfiler : Profiler
{
    private readonly string _tool;

    private DotnetTraceProfiler(string tool, Process collector, string file)
        : base(collector, file) => _tool = tool;

    public static string? FindTool()
    {
        var onPath = (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "dotnet-trace"));
        var global = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        return onPath.Append(global).FirstOrDefault(System.IO.File.Exists);
    }

    public static DotnetTraceProfiler? Start(int processId, TimeSpan duration, string file)
    {
        if (FindTool() is not { } tool)
        {
            Console.WriteLine("trace: dotnet-trace not found; install it with: dotnet tool install -g dotnet-trace");
            return null;
        }

        return new DotnetTraceProfiler(tool, Launch(tool, "collect", "--process-id", processId.ToString(CultureInfo.InvariantCulture),
            "--profile", "dotnet-sampled-thread-time", "--duration", Duration(duration), "--output", file), file);
    }

    protected override async Task<string> SummariseAsync()
    {
        var top = TopFrames.ToString(CultureInfo.InvariantCulture);
        return $"$ dotnet-trace report {File} topN -n {top}\n" + await RunAsync(_tool, "report", File, "topN", "-n", top)
            + $"$ dotnet-trace report {File} topN -n {top} --inclusive\n" + await RunAsync(_tool, "report", File, "topN", "-n", top, "--inclusive");
    }
}
