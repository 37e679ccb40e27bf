using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// An SMTP server that accepts everything up to the message content, reads it, and then either hangs
/// up without the final reply — RFC 1047's "synchronization gap": the message may or may not have been
/// delivered, and the client cannot know — or gives the final reply it was told to (e.g. a 554).
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _contentReceived;

    private readonly string? _finalReply;

    private ScriptedSmtpServer(string? finalReply)
    {
        _finalReply = finalReply;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool ReceivedContent => Volatile.Read(ref _contentReceived) > 0;

    /// <summary>Hangs up after the content, before answering it.</summary>
    public static ScriptedSmtpServer DroppingAfterData() => new(null);

    /// <summary>Reads the content, then answers it with <paramref name="reply"/>.</summary>
    public static ScriptedSmtpServer Answering(string reply) => new(reply);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (client)
            {
                await ConverseAsync(client.GetStream());
            }
        }
    }

    private async Task ConverseAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 dropping.test ESMTP");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var verb = line.Split(' ')[0].ToUpperInvariant();
            if (verb is "EHLO" or "HELO")
            {
                await writer.WriteLineAsync("250 dropping.test");
            }
            else if (verb == "DATA")
            {
                await writer.WriteLineAsync("354 go ahead");
                while (await reader.ReadLineAsync(_stop.Token) is { } content && content != ".")
                {
                    Interlocked.Exchange(ref _contentReceived, 1);
                }

                if (_finalReply is null)
                {
                    return; // hang up instead of answering "250 queued"
                }

                await writer.WriteLineAsync(_finalReply);
            }
            else if (verb == "QUIT")
            {
                await writer.WriteLineAsync("221 bye");
                return;
            }
            else
            {
                await writer.WriteLineAsync("250 ok");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
