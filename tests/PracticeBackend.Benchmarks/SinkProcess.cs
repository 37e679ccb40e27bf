using System.Diagnostics;
using System.Globalization;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// <see cref="SmtpSink"/> in a process of its own (production's mail server is not the app's CPU).
/// Protocol on its standard streams: it prints <c>PORT=n</c>; to each <c>count</c> line it answers the
/// number of messages received; it ends when its input closes.
/// </summary>
public sealed class SinkProcess : IAsyncDisposable
{
    public const string Verb = "sink";

    private readonly Process _process;
    private readonly SemaphoreSlim _oneQuestionAtATime = new(1, 1);

    private SinkProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public static async Task<SinkProcess> StartAsync()
    {
        var process = SelfProcess.Start(Verb);
        var line = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The SMTP sink ended before it listened.");
        return new SinkProcess(process, int.Parse(line["PORT=".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>Messages the sink has received so far.</summary>
    public async Task<int> ReceivedAsync()
    {
        await _oneQuestionAtATime.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync("count");
            await _process.StandardInput.FlushAsync();
            return int.Parse(await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The SMTP sink ended."), CultureInfo.InvariantCulture);
        }
        finally
        {
            _oneQuestionAtATime.Release();
        }
    }

    /// <summary>Waits until the sink has received at least <paramref name="count"/> messages (polled every 50 ms, at almost no cost to the app).</summary>
    public async Task WaitForAsync(int count, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (await ReceivedAsync() < count)
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"The sink received {await ReceivedAsync()} of {count} messages within {limit}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The child's side.</summary>
    public static async Task<int> ServeAsync()
    {
        await using var sink = new SmtpSink();
        await Console.Out.WriteLineAsync($"PORT={sink.Port}");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "count")
            {
                await Console.Out.WriteLineAsync(sink.Received.ToString(CultureInfo.InvariantCulture));
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await SelfProcess.StopAsync(_process);
        _oneQuestionAtATime.Dispose();
    }
}
