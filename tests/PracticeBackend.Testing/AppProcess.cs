using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace PracticeBackend.Testing;

/// <summary>
/// The built app in a process of its own, started as production starts it (<c>dotnet PracticeBackend.Api.dll</c>),
/// configured only through environment variables, on a loopback port of its own. Unlike an in-process host it
/// can be killed the way a crash, an OOM kill or a pulled plug ends a node: no shutdown, nothing flushed.
/// </summary>
/// <remarks>
/// Settings are given as the app reads them (<c>ConnectionStrings:Practice</c>, <c>Practice:Silo:SiloPort</c>, …)
/// and passed as environment variables (<c>ConnectionStrings__Practice</c>). The environment is "Testing", as for
/// the in-process hosts. The app's own settings that the test process happens to carry (<c>Practice__*</c>,
/// <c>Email__*</c>, <c>ConnectionStrings__*</c>, the first-admin variables) are not passed on.
/// </remarks>
public sealed class AppProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 400;
    private static readonly string[] InheritedSettingsDropped = ["ConnectionStrings__", "Practice__", "Email__", "PRACTICE_ADMIN_", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private bool _disposed;

    private AppProcess(Process process, ConcurrentQueue<string> output, Uri baseAddress)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
    }

    /// <summary>The <c>dotnet</c> that runs this test process (or the one on PATH).</summary>
    public static string DotnetHost =>
        Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";

    /// <summary>Where the app listens: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the app wrote to its standard output and error, for a failing test's message.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the app and waits until <c>/health/ready</c> answers 200 (database reachable, silo active).
    /// Throws, with the app's output, if it exits first or is not ready within <paramref name="readyWithin"/> (default 3 minutes).
    /// </summary>
    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, TimeSpan? readyWithin = null)
    {
        var dll = AppDll();
        var directory = Path.GetDirectoryName(dll)!;
        var baseAddress = new Uri($"http://127.0.0.1:{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}/");
        var start = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(dll);
        foreach (var inherited in start.Environment.Keys.Where(k => InheritedSettingsDropped.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.GetLeftPart(UriPartial.Authority);
        start.Environment["ASPNETCORE_CONTENTROOT"] = directory;
        foreach (var (name, value) in settings)
        {
            start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var output = new ConcurrentQueue<string>();
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + dll);
        process.OutputDataReceived += (_, line) => Keep(output, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(output, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var app = new AppProcess(process, output, baseAddress);
        try
        {
            await app.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromMinutes(3));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>A client for this app (its own cookies, no contract check: the caller decides what to assert).</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>
    /// Ends the process and everything it started at once (SIGKILL), as a crash would: no graceful stop, so a send
    /// in flight is never recorded and Hangfire's job stays "processing" in storage.
    /// </summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had ended already.
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// Asks for a graceful stop (SIGTERM, as <c>docker stop</c>, systemd and Kubernetes do) and waits for the process to
    /// end; kills it if it is still running after <paramref name="within"/>. Returns whether it ended by itself.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan within)
    {
        if (_process.HasExited)
        {
            return true;
        }

        using (var signal = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            await signal!.WaitForExitAsync();
        }

        using var patience = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(patience.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            return false;
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan within)
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var ready = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception notYet) when (notYet is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or busy starting.
            }

            if (waited.Elapsed > within)
            {
                throw new TimeoutException($"The app was not ready within {within}:\n{Output}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// The app's own build output next to this test's, in the same configuration and framework
    /// (src/PracticeBackend.Api/bin/&lt;Config&gt;/&lt;tfm&gt;/), else the copy in the test's output folder.
    /// </summary>
    private static string AppDll()
    {
        const string Name = "PracticeBackend.Api";
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent?.Name ?? "Debug";
        string[] candidates =
        [
            Path.Combine(TestPostgres.RepositoryRoot(), "src", Name, "bin", configuration, framework, Name + ".dll"),
            Path.Combine(testOutput.FullName, Name + ".dll"),
        ];
        return candidates.FirstOrDefault(dll => File.Exists(dll) && File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")))
            ?? throw new FileNotFoundException($"The built app was not found (looked for {string.Join(" and ", candidates)} with its .runtimeconfig.json); build the solution first.");
    }

    private static void Keep(ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > OutputLinesKept && output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await KillAsync();
        _process.Dispose();
    }
}
