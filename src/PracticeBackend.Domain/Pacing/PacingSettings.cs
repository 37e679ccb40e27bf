namespace PracticeBackend.Domain.Pacing;

/// <summary>
/// A practice's pacing choices. Defaults are the gentlest the product allows to be pushed; a practice may
/// make pacing gentler, never pushier, so the policy only ever reads <see cref="Gentler"/>.
/// A window time left at <c>default</c> (00:00) means the default window edge (09:00 / 19:00).
/// </summary>
public sealed record PacingSettings(
    int CheckInAfterDays = 7,
    int ClosingNoteAfterDays = 21,
    TimeOnly WindowStart = default,
    TimeOnly WindowEnd = default)
{
    private const int MinCheckInAfterDays = 7;
    private const int MinClosingNoteAfterDays = 21;
    private const int MinDaysBetweenCheckInAndClosingNote = 7;

    public static TimeOnly EarliestWindowStart => new(9, 0);

    public static TimeOnly LatestWindowEnd => new(19, 0);

    public static PacingSettings Default { get; } = new();

    public TimeOnly WindowStart { get; init; } = WindowStart == default ? EarliestWindowStart : WindowStart;

    public TimeOnly WindowEnd { get; init; } = WindowEnd == default ? LatestWindowEnd : WindowEnd;

    /// <summary>These settings with every value clamped to the hard limits no practice setting can exceed.</summary>
    public PacingSettings Gentler()
    {
        var checkIn = Math.Max(CheckInAfterDays, MinCheckInAfterDays);
        var closingFloor = (int)Math.Min(int.MaxValue, Math.Max(MinClosingNoteAfterDays, (long)checkIn + MinDaysBetweenCheckInAndClosingNote));
        var closing = Math.Max(ClosingNoteAfterDays, closingFloor);

        var start = WindowStart < EarliestWindowStart ? EarliestWindowStart : WindowStart;

        // 00:00 as an end can only mean "end of the day", which is later than any end we allow.
        var end = WindowEnd == default || WindowEnd > LatestWindowEnd ? LatestWindowEnd : WindowEnd;
        if (start >= end)
        {
            (start, end) = (EarliestWindowStart, LatestWindowEnd);
        }

        return new PacingSettings(checkIn, closing, start, end);
    }
}
