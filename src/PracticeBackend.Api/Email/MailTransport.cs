using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PracticeBackend.Api.Email;

/// <summary>What became of one message at the transport: sent, not sent (retry or give up), or unknown.</summary>
public abstract record TransportResult
{
    public sealed record Sent(string ServerReply) : TransportResult;

    /// <summary>Nothing reached the server's DATA phase: safe to try again later.</summary>
    public sealed record Transient(string Category) : TransportResult;

    /// <summary>The server refused for good (e.g. 550 no such mailbox).</summary>
    public sealed record Permanent(string Category, bool RecipientRejected) : TransportResult;

    /// <summary>The failure came after the message content began to flow: it may have been delivered.</summary>
    public sealed record Uncertain(string Category) : TransportResult;
}

/// <summary>Where outgoing mail goes. A session sends several messages in turn over one connection.</summary>
public interface IMailTransport
{
    IMailSession OpenSession();
}

/// <summary>One conversation with the mail system: messages in turn, each with its own outcome.</summary>
public interface IMailSession : IAsyncDisposable
{
    Task<TransportResult> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>Writes each message as an .eml file — for development, and for practices that relay files.</summary>
internal sealed class PickupTransport(IOptions<EmailOptions> options) : IMailTransport, IMailSession
{
    public IMailSession OpenSession() => this;

    public async Task<TransportResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var directory = Path.GetFullPath(options.Value.PickupDirectory);
        Directory.CreateDirectory(directory);
        var name = $"{(message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0]}.eml";
        var temporary = Path.Combine(directory, name + ".tmp");
        try
        {
            await message.WriteToAsync(temporary, cancellationToken);
            File.Move(temporary, Path.Combine(directory, name), overwrite: true);
            return new TransportResult.Sent("pickup:" + name);
        }
        catch (IOException)
        {
            return new TransportResult.Transient("pickup-io");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>MailKit over SMTP: one connection per session, opened on the first message and again after a failure.</summary>
internal sealed class SmtpTransport(IOptions<EmailOptions> options) : IMailTransport
{
    public IMailSession OpenSession() => new SmtpSession(options.Value.Smtp);
}

/// <summary>
/// Failures are sorted by where they happened: before the message content began to flow nothing can have
/// been delivered (transient or permanent by the server's code); after it began, the outcome is unknown
/// (RFC 1047) and the message is never resent automatically. After any failure the connection is dropped,
/// and the next message opens a new one.
/// </summary>
internal sealed class SmtpSession(SmtpSettings settings) : IMailSession
{
    private SmtpClient? _smtp;

    public async Task<TransportResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        // A connection kept from the previous message may have been closed by the server meanwhile (idle
        // timeouts): if it fails before any content flowed, the message gets one try on a fresh connection.
        // One deadline for each message's whole conversation (connections and that second try included), so
        // that a graceful shutdown can wait for a send to finish and record its outcome
        // (SmtpSettings.SendDeadline sizes the hosts' shutdown timeouts).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.SendDeadline);
        var reused = _smtp is { IsConnected: true };
        var result = await SendOnceAsync(message, deadline.Token);
        return reused && result is TransportResult.Transient && !deadline.IsCancellationRequested
            ? await SendOnceAsync(message, deadline.Token)
            : result;
    }

    private async Task<TransportResult> SendOnceAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var progress = new ContentProgress();
        try
        {
            var smtp = await ConnectedAsync(cancellationToken);
            var reply = await smtp.SendAsync(message, cancellationToken, progress);
            return new TransportResult.Sent(Truncate(reply));
        }
        catch (SmtpCommandException refused)
        {
            // The server answered: a definite "no", whatever the phase.
            Drop();
            var category = $"smtp-{(int)refused.StatusCode}-{refused.ErrorCode}";
            return (int)refused.StatusCode >= 500
                ? new TransportResult.Permanent(category, refused.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
                : new TransportResult.Transient(category);
        }
        catch (Exception failure)
        {
            // Anything else (I/O, protocol, TLS handshake, authentication, a server without AUTH, a timeout):
            // what matters is only whether the content had begun to flow.
            Drop();
            var category = failure.GetType().Name;
            return progress.ContentStarted ? new TransportResult.Uncertain(category) : new TransportResult.Transient(category);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_smtp is { IsConnected: true } smtp)
        {
            await DisconnectQuietlyAsync(smtp);
        }

        _smtp?.Dispose();
        _smtp = null;
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_smtp is { IsConnected: true } connected)
        {
            return connected;
        }

        _smtp?.Dispose();
        _smtp = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        await _smtp.ConnectAsync(settings.Host, settings.Port, settings.SocketOptions, cancellationToken);
        if (!string.IsNullOrEmpty(settings.Username))
        {
            await _smtp.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);
        }

        return _smtp;
    }

    /// <summary>The connection's state after a failure is unknown: start over with the next message.</summary>
    private void Drop()
    {
        _smtp?.Dispose();
        _smtp = null;
    }

    private static async Task DisconnectQuietlyAsync(SmtpClient smtp)
    {
        try
        {
            await smtp.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception failure) when (failure is IOException or SocketException or SmtpProtocolException or SmtpCommandException or OperationCanceledException)
        {
            // The message was accepted already; a failed QUIT changes nothing.
        }
    }

    private static string Truncate(string reply) => reply.Length <= 500 ? reply : reply[..500];

    /// <summary>MailKit reports progress only while it writes the message content (after DATA was accepted).</summary>
    private sealed class ContentProgress : ITransferProgress
    {
        public bool ContentStarted { get; private set; }

        public void Report(long bytesTransferred, long totalSize) => ContentStarted = true;

        public void Report(long bytesTransferred) => ContentStarted = true;
    }
}
