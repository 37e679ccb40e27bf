namespace PracticeBackend.Grains.Data;

/// <summary>Times are stored as UTC <c>timestamp with time zone</c>; read back, each is an instant at offset zero.</summary>
public static class StoredTimes
{
    public static DateTimeOffset AsUtc(this DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));

    public static DateTimeOffset? AsUtc(this DateTime? stored) => stored is { } value ? value.AsUtc() : null;
}
