using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// An SMTP server that follows a script: it accepts everything up to the message content, reads it, and
/// then either hangs up without the final reply — RFC 1047's "synchronization gap": the message may or may
/// not have been delivered, and the client cannot know — or gives the final reply it was told to (e.g. a
/// 554), optionally after a stall. It can also refuse the recipient (RCPT TO) before any content flows.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string? _finalReply;
    private readonly string? _recipientReply;
    private readonly TimeSpan _stallBeforeFinalReply;
    private readonly bool _hangUpAfterReply;
    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _clientPorts = new();
    private int _contentReceived;
    private int _connections;
    private int _finalRepliesGiven;

    private ScriptedSmtpServer(string? finalReply, string? recipientReply = null, TimeSpan stallBeforeFinalReply = default, bool hangUpAfterReply = false)
    {
        _hangUpAfterReply = hangUpAfterReply;
        _finalReply = finalReply;
        _recipientReply = recipientReply;
        _stallBeforeFinalReply = stallBeforeFinalReply;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Whether any message content has arrived (the client got past DATA).</summary>
    public bool ReceivedContent => MessagesReceived > 0;

    /// <summary>How many messages' content arrived in full (up to the closing ".").</summary>
    public int MessagesReceived => Volatile.Read(ref _contentReceived);

    /// <summary>How many connections clients have opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The client's port of each connection, in the order they came (to tell which process opened one).</summary>
    public IReadOnlyList<int> ClientPorts => [.. _clientPorts];

    /// <summary>How many of them were answered with the final reply.</summary>
    public int FinalRepliesGiven => Volatile.Read(ref _finalRepliesGiven);

    /// <summary>Hangs up after the content, before answering it.</summary>
    public static ScriptedSmtpServer DroppingAfterData() => new(null);

    /// <summary>Reads the content, then answers it with <paramref name="reply"/>.</summary>
    public static ScriptedSmtpServer Answering(string reply) => new(reply);

    /// <summary>Reads the content, says nothing for <paramref name="stall"/>, then accepts it ("250").</summary>
    public static ScriptedSmtpServer StallingBeforeAccepting(TimeSpan stall) => new("250 2.0.0 queued", stallBeforeFinalReply: stall);

    /// <summary>Accepts each message ("250"), then closes the connection without a word, as a server's idle timeout does.</summary>
    public static ScriptedSmtpServer AcceptingThenHangingUp() => new("250 2.0.0 queued", hangUpAfterReply: true);

    /// <summary>Answers RCPT TO with <paramref name="reply"/> (e.g. "550 5.1.1 no such user"); no content is ever asked for.</summary>
    public static ScriptedSmtpServer RefusingRecipient(string reply) => new("250 2.0.0 queued", recipientReply: reply);

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

            _clientPorts.Enqueue(((IPEndPoint)client.Client.RemoteEndPoint!).Port);
            Interlocked.Increment(ref _connections);
            using (client)
            {
                try
                {
                    await ConverseAsync(client.GetStream());
                }
                catch (Exception hangUp) when (hangUp is IOException or OperationCanceledException)
                {
                    // The client went away (or we are stopping): on to the next one.
                }
            }
        }
    }

    private async Task ConverseAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 scripted.test ESMTP");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var verb = line.Split(' ', ':')[0].ToUpperInvariant();
            if (verb is "EHLO" or "HELO")
            {
                await writer.WriteLineAsync("250 scripted.test");
            }
            else if (verb == "RCPT" && _recipientReply is not null)
            {
                await writer.WriteLineAsync(_recipientReply);
            }
            else if (verb == "DATA")
            {
                await writer.WriteLineAsync("354 go ahead");
                while (await reader.ReadLineAsync(_stop.Token) is { } content && content != ".")
                {
                }

                Interlocked.Increment(ref _contentReceived);
                if (_finalReply is null)
                {
                    return; // hang up instead of answering "250 queued"
                }

                await Task.Delay(_stallBeforeFinalReply, _stop.Token);
                await writer.WriteLineAsync(_finalReply);
                Interlocked.Increment(ref _finalRepliesGiven);
                if (_hangUpAfterReply)
                {
                    return;
                }
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
