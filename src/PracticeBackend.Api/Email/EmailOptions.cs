using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace PracticeBackend.Api.Email;

/// <summary>Where outgoing mail goes (section <c>Email</c>).</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary><see cref="EmailMode.Pickup"/> writes .eml files (./run.sh's default); <see cref="EmailMode.Smtp"/> talks to a server.</summary>
    public EmailMode Mode { get; set; } = EmailMode.Pickup;

    /// <summary>For pickup mode: the folder the .eml files go to.</summary>
    public string PickupDirectory { get; set; } = ".local/mail";

    [Required]
    public string FromAddress { get; set; } = "hello@practice.invalid";

    public SmtpSettings Smtp { get; set; } = new();

    public DkimSettings Dkim { get; set; } = new();
}

public enum EmailMode
{
    Pickup = 1,
    Smtp = 2,
}

public sealed class SmtpSettings
{
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 25;

    /// <summary>None, StartTls (required, not "when available") or SslOnConnect.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The longest one SMTP command may take; also the deadline for a whole send (<see cref="SendDeadline"/>).</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// A send (connect, authenticate, transfer) ends by then, one way or another: the job server and the host
    /// wait at least this long at shutdown, so a send in flight records what the server said.
    /// </summary>
    public TimeSpan SendDeadline => TimeSpan.FromSeconds(Math.Max(1, TimeoutSeconds));

    public SecureSocketOptions SocketOptions => Security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}

public enum SmtpSecurity
{
    None = 1,
    StartTls = 2,
    SslOnConnect = 3,
}
