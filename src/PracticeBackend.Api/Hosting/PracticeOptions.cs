using System.ComponentModel.DataAnnotations;

namespace PracticeBackend.Api.Hosting;

/// <summary>The practice's own settings (section <c>Practice</c>; the <c>Orleans</c> section belongs to Orleans).</summary>
public sealed class PracticeOptions
{
    public const string Section = "Practice";

    [Required]
    public string Name { get; set; } = "";

    /// <summary>IANA zone used when a person does not give one.</summary>
    [Required]
    public string TimeZone { get; set; } = "";

    /// <summary>Where the public site reaches this backend; links in emails start here.</summary>
    [Required]
    public Uri? PublicBaseUrl { get; set; }

    public DatabaseSettings Database { get; set; } = new();

    public SiloSettings Silo { get; set; } = new();

    public ClusterSettings Cluster { get; set; } = new();

    public StaffSettings Staff { get; set; } = new();

    public RateLimitSettings RateLimits { get; set; } = new();

    public NetworkSettings Network { get; set; } = new();

    public RetentionSettings Retention { get; set; } = new();

    public JobSettings Jobs { get; set; } = new();

    public PracticeEmailSettings Email { get; set; } = new();

    /// <summary>Where to turn in an emergency; the acknowledgement says it, since the inbox is not watched for emergencies.</summary>
    [Required]
    public string CrisisResources { get; set; } = "";

    /// <summary>Follow-up timing; a practice may make it gentler, never pushier (values below the defaults are raised to them).</summary>
    public PacingSettingsSection Pacing { get; set; } = new();

    public SchedulingSettings Scheduling { get; set; } = new();

    /// <summary>The practice's own site, where the intake form is embedded in a frame (README "Embedding the form").</summary>
    public EmbeddingSettings Embedding { get; set; } = new();
}

public sealed class EmbeddingSettings
{
    /// <summary>
    /// Origins allowed to show /intake in a frame ("https://www.example-practice.org"); empty: no site may.
    /// Every other page refuses every frame.
    /// </summary>
    public List<string> FrameAncestors { get; set; } = [];

    /// <summary>An origin as CSP wants it: https (or http for localhost), a host, maybe a port, nothing else.</summary>
    public static bool IsOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
        && uri.GetLeftPart(UriPartial.Authority) == origin.TrimEnd('/')
        && !origin.Contains('*', StringComparison.Ordinal);
}

public sealed class SchedulingSettings
{
    /// <summary>Where in-person sessions happen, as the confirmation and the invite say it.</summary>
    public string Address { get; set; } = "";

    /// <summary>How long an offer's times stay held for the person before they go back (and one quiet note says so).</summary>
    [Range(24, 24 * 14)]
    public int OfferHoldHours { get; set; } = 72;

    /// <summary>
    /// A therapist's calendar feed names each session by the person's initials; true shows their first
    /// name instead. The feed leaves the practice (for Google or Apple), so the default is the less.
    /// </summary>
    public bool FeedShowsFirstNames { get; set; }
}

public sealed class PracticeEmailSettings
{
    /// <summary>Who signs messages when no therapist is assigned yet: a named person.</summary>
    public string SignerName { get; set; } = "";

    /// <summary>The practice's own sentences, checked by the same tone guard as ours at start-up.</summary>
    public Email.PracticeWording? Wording { get; set; }
}

public sealed class PacingSettingsSection
{
    public int CheckInAfterDays { get; set; } = 7;

    public int ClosingNoteAfterDays { get; set; } = 21;

    public TimeOnly WindowStart { get; set; } = new(9, 0);

    public TimeOnly WindowEnd { get; set; } = new(19, 0);

    public Domain.Pacing.PacingSettings ToSettings() =>
        new Domain.Pacing.PacingSettings(CheckInAfterDays, ClosingNoteAfterDays, WindowStart, WindowEnd).Gentler();
}

public sealed class StaffSettings
{
    /// <summary>Whether therapists see requests nobody is assigned to yet (admins always do).</summary>
    public bool TherapistsSeeUnassigned { get; set; }

    /// <summary>Origins besides the app's own that may send state-changing staff requests (anti-forgery).</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>The practice's on-duty address: told at once when a request needs a prompt look (no PHI in the email).</summary>
    public string? OnDutyEmail { get; set; }

    /// <summary>Also send the on-duty address a short daily note of requests waiting for a first reply (counts and ages only).</summary>
    public bool DailyWaitingNote { get; set; }

    /// <summary>When the daily note goes, in the practice's time zone.</summary>
    public TimeOnly DailyWaitingNoteAt { get; set; } = new(8, 30);
}

public sealed class RateLimitSettings
{
    public int IntakePerMinute { get; set; } = 5;

    public int SignInPerMinute { get; set; } = 10;

    /// <summary>Opening or answering the scheduling links (offers, sessions, calendar feeds) from one address; generous, since a person clicks a few times and a feed is polled.</summary>
    public int LinksPerMinute { get; set; } = 60;
}

public sealed class NetworkSettings
{
    /// <summary>Proxies whose X-Forwarded-For/-Proto are believed; none by default.</summary>
    public List<string> KnownProxies { get; set; } = [];
}

public sealed class RetentionSettings
{
    /// <summary>Requests that never led to a booking are erased this many days after they closed.</summary>
    public int UnconvertedRequestDays { get; set; } = 180;
}

public sealed class JobSettings
{
    /// <summary>Run a Hangfire server in this process (turn off on nodes that should only serve HTTP).</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>How many due messages one sweep hands to Hangfire per round (it loops until none are left).</summary>
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>Due emails one send job takes in turn over one connection to the mail server.</summary>
    public int SendBatchSize { get; set; } = 20;
}

public sealed class DatabaseSettings
{
    /// <summary>Apply EF Core migrations when the app starts. Turn off where a release step migrates instead.</summary>
    public bool MigrateOnStart { get; set; } = true;
}

public sealed class SiloSettings
{
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "practice";

    public string ServiceId { get; set; } = "practice-backend";

    /// <summary>
    /// The address other silos reach this one at (an IP). Empty: loopback with localhost membership, else the
    /// machine's first IPv4 address. When set, the silo listens on every interface (a container's or pod's IP).
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    public SiloTlsSettings Tls { get; set; } = new();
}

/// <summary>Silo-to-silo (and gateway) traffic over TLS, both sides showing the same certificate (README "Running more than one node").</summary>
public sealed class SiloTlsSettings
{
    /// <summary>A PKCS#12 file with the private key; empty leaves silo traffic in the clear (one machine, or a private network).</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Certificates (PEM or DER, no key) a peer may show besides <see cref="CertificatePath"/>'s, for a rolling
    /// rotation: the new one while nodes still show the old, then the old one while nodes already show the new.
    /// </summary>
    public List<string> AcceptedCertificatePaths { get; set; } = [];
}

public enum ClusterMembership
{
    /// <summary>One silo on this machine, nothing shared (development, tests, a single node).</summary>
    Localhost,

    /// <summary>Silos find each other through the <c>cluster_*</c> tables in the practice's database (ADR 0017).</summary>
    PostgreSql,
}

public sealed class ClusterSettings
{
    public ClusterMembership Membership { get; set; } = ClusterMembership.Localhost;
}
