using NodaTime;
using NodaTime.TimeZones;

namespace PracticeBackend.Domain.Pacing;

/// <summary>
/// 09:00–19:00 on weekdays in the recipient's zone (or a practice's narrower window): the only hours in
/// which messages that are not answers to the person's own action go out.
/// </summary>
public static class SendWindow
{
    /// <summary>
    /// The first instant at or after <paramref name="at"/> inside the window, as UTC. A window opening that a
    /// spring-forward skips moves to the first wall-clock time after the gap; one a fall-back repeats takes
    /// its earlier instant, unless that has already passed.
    /// </summary>
    public static DateTimeOffset Next(DateTimeOffset at, DateTimeZone zone, PacingSettings settings)
    {
        var window = settings.Gentler();
        var start = LocalTime.FromTimeOnly(window.WindowStart);
        var end = LocalTime.FromTimeOnly(window.WindowEnd);
        var instant = Instant.FromDateTimeOffset(at);

        // A day at most per pass; the bound only guards against a zone that could skip a whole window for weeks.
        for (var pass = 0; pass < 32; pass++)
        {
            var local = instant.InZone(zone).LocalDateTime;
            if (IsWeekday(local.Date) && local.TimeOfDay >= start && local.TimeOfDay < end)
            {
                return instant.ToDateTimeOffset();
            }

            var date = local.Date;
            if (!IsWeekday(date) || local.TimeOfDay >= start)
            {
                date = date.PlusDays(1);
            }

            while (!IsWeekday(date))
            {
                date = date.PlusDays(1);
            }

            var notBefore = instant;
            var opening = zone.ResolveLocal(date + start, Resolvers.CreateMappingResolver(
                (earlier, later) => earlier.ToInstant() >= notBefore ? earlier : later,
                Resolvers.ReturnStartOfIntervalAfter));
            instant = opening.ToInstant();
        }

        throw new InvalidOperationException($"No send window found after {at:O} in time zone '{zone.Id}'.");
    }

    public static bool Contains(DateTimeOffset at, DateTimeZone zone, PacingSettings settings) => Next(at, zone, settings) == at.ToUniversalTime();

    private static bool IsWeekday(LocalDate date) => date.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday);
}
