using System.Diagnostics;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// This benchmark's own binary, started again in another role (<c>dotnet PracticeBackend.Benchmarks.dll load …</c>),
/// talking over its standard input and output; its standard error goes to ours.
/// </summary>
public static class SelfProcess
{
    public static Process Start(params string[] arguments)
    {
        var host = PracticeBackend.Testing.AppProcess.DotnetHost;
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Small helpers: the workstation collector and fully optimised code from the first call (no re-JIT in a
        // measured window) keep their CPU next to the app's small.
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredCompilation"] = "0";
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start " + string.Join(' ', arguments));
    }

    /// <summary>Runs this program again, in the foreground, with the same arguments and some environment of its own; returns its exit code.</summary>
    public static async Task<int> RunAgainAsync(string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var host = PracticeBackend.Testing.AppProcess.DotnetHost;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the benchmark again.");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>Closes the child's input (its signal to finish) and waits for it; kills it if it lingers.</summary>
    public static async Task StopAsync(Process process)
    {
        try
        {
            process.StandardInput.Close();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
        finally
        {
            process.Dispose();
        }
    }
}
