using NodaTime;

namespace PracticeBackend.Domain.Contacts;

/// <summary>
/// Time zones are IANA ids ("America/Chicago") from NodaTime's own TZDB, so every node computes the same
/// local times whatever its operating system ships. Windows ids and bare offsets are refused.
/// </summary>
public static class IanaTimeZone
{
    public static bool IsValid(string? id) =>
        !string.IsNullOrWhiteSpace(id)
        && id.Length <= Intake.IntakeLimits.TimeZoneMaxLength
        && DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is not null;

    /// <summary>
    /// The zone for a stored (already validated) id. Ids stored before we validated against NodaTime's TZDB
    /// were checked against the operating system's, which NodaTime can still read.
    /// </summary>
    public static DateTimeZone Find(string id) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(id)
        ?? DateTimeZoneProviders.Bcl.GetZoneOrNull(id)
        ?? throw new ArgumentException($"Unknown time zone '{id}'.", nameof(id));
}
