namespace PracticeBackend.Domain.Contacts;

/// <summary>Time zones are IANA ids ("America/Chicago"); Windows ids and fixed offsets are refused.</summary>
public static class IanaTimeZone
{
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > Intake.IntakeLimits.TimeZoneMaxLength)
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId
            && string.Equals(zone.Id, id, StringComparison.Ordinal);
    }
}
