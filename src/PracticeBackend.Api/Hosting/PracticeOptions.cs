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
}
