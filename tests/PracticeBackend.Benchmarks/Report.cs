using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using PracticeBackend.Testing;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// Prints one aligned line per measurement as it is taken (what, result, ratio to its baseline), the goals
/// at the end, and writes the same as a dated section at the top of docs/benchmarks.md's "Results".
/// </summary>
public sealed class Report(BenchmarkOptions options, PostgresServer server)
{
    public const string ResultsHeading = "## Results";

    private const int NameWidth = 66;
    private const int ResultWidth = 66;

    private readonly List<(string? Section, string Name, string Result, string Ratio)> _rows = [];
    private readonly List<(string Goal, string Measured, bool Met)> _goals = [];
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly string _machine = Machine();
    private readonly string _commit = Commit();

    public static string Ratio(double value, string baseline) => $"{value:0.00} × {baseline}";

    public void PrintHeader()
    {
        Console.WriteLine($"machine   {_machine}");
        Console.WriteLine($"commit    {_commit}");
        Console.WriteLine($"command   {options.CommandLine}");
        Console.WriteLine($"database  {server.Describe()}");
        Console.WriteLine($"started   {_started:yyyy-MM-dd HH:mm} UTC");
    }

    public void Section(string title)
    {
        _rows.Add((title, "", "", ""));
        Console.WriteLine();
        Console.WriteLine($"== {title}");
    }

    public void Line(string name, string result, string ratio = "")
    {
        _rows.Add((null, name, result, ratio));
        Console.WriteLine($"{name,-NameWidth} {result,-ResultWidth} {ratio}".TrimEnd());
    }

    public void Goal(string goal, string measured, bool met) => _goals.Add((goal, measured, met));

    public void PrintGoals()
    {
        Console.WriteLine();
        Console.WriteLine("== Goals");
        foreach (var (goal, measured, met) in _goals)
        {
            Console.WriteLine($"{(met ? "met    " : "NOT MET")}  {goal,-58} {measured}");
        }
    }

    /// <summary>Inserts this run, newest first, right under the Results heading of docs/benchmarks.md (older runs stay below).</summary>
    public void WriteToDocs()
    {
        var path = Path.Combine(TestPostgres.RepositoryRoot(), "docs", "benchmarks.md");
        var document = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var heading = "\n" + ResultsHeading + "\n";
        var at = document.IndexOf(heading, StringComparison.Ordinal);
        if (at < 0)
        {
            document = document.TrimEnd() + "\n" + heading;
            at = document.Length - heading.Length;
        }

        var below = at + heading.Length;
        var older = document[below..].TrimStart('\n');
        File.WriteAllText(path, document[..below] + "\n" + Markdown() + (older.Length > 0 ? "\n" + older : ""));
        Console.WriteLine();
        Console.WriteLine($"written to {path}");
    }

    private string Markdown()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"### {_started:yyyy-MM-dd HH:mm} UTC, commit {_commit}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"`{options.CommandLine}`  \n");
        text.Append(CultureInfo.InvariantCulture, $"Machine: {_machine}.  \n");
        text.Append(CultureInfo.InvariantCulture, $"Database: {server.Describe()}.\n\n");
        text.Append("| Measurement | Result | Ratio to its baseline |\n|---|---|---|\n");
        foreach (var (section, name, result, ratio) in _rows)
        {
            text.Append(section is not null ? $"| **{Cell(section)}** | | |\n" : $"| {Cell(name)} | {Cell(result)} | {Cell(ratio)} |\n");
        }

        text.Append("\n| Goal | Measured | |\n|---|---|---|\n");
        foreach (var (goal, measured, met) in _goals)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {Cell(goal)} | {Cell(measured)} | {(met ? "met" : "**not met**")} |\n");
        }

        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Machine()
    {
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores, {memory:0} GB, {os ?? RuntimeInformation.OSDescription} (kernel {Environment.OSVersion.Version}), {RuntimeInformation.FrameworkDescription}";
    }

    private static string Commit()
    {
        string? Git(string arguments)
        {
            try
            {
                var start = new ProcessStartInfo("git", arguments)
                {
                    WorkingDirectory = TestPostgres.RepositoryRoot(),
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using var git = Process.Start(start)!;
                var output = git.StandardOutput.ReadToEnd().Trim();
                git.WaitForExit();
                return git.ExitCode == 0 ? output : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }

        return Git("rev-parse --short HEAD") is { } commit
            ? commit + (Git("status --porcelain --untracked-files=no") is { Length: > 0 } ? " (with uncommitted changes)" : "")
            : "unknown (no git)";
    }
}
