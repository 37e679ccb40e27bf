namespace PracticeBackend.Domain.Intake;

/// <summary>How often the person said we may write to them. Chosen on the form; the pacing policy obeys it.</summary>
public enum Pace
{
    WhenReady = 1,
    Gentle = 2,
    CheckIn2Weeks = 3,
    CheckIn1Month = 4,
    CheckIn3Months = 5,
}

/// <summary>How the person would like to meet.</summary>
public enum PreferredFormat
{
    InPerson = 1,
    Video = 2,
    Either = 3,
}

/// <summary>The words the public form and its JSON contract use for <see cref="Pace"/> and <see cref="PreferredFormat"/>.</summary>
public static class WireNames
{
    private static readonly Dictionary<string, Pace> Paces = new(StringComparer.Ordinal)
    {
        ["when-ready"] = Pace.WhenReady,
        ["gentle"] = Pace.Gentle,
        ["check-in-2-weeks"] = Pace.CheckIn2Weeks,
        ["check-in-1-month"] = Pace.CheckIn1Month,
        ["check-in-3-months"] = Pace.CheckIn3Months,
    };

    private static readonly Dictionary<string, PreferredFormat> Formats = new(StringComparer.Ordinal)
    {
        ["in-person"] = PreferredFormat.InPerson,
        ["video"] = PreferredFormat.Video,
        ["either"] = PreferredFormat.Either,
    };

    public static IReadOnlyCollection<string> PaceNames => Paces.Keys;

    public static IReadOnlyCollection<string> FormatNames => Formats.Keys;

    public static bool TryParsePace(string? name, out Pace pace) => Paces.TryGetValue(name ?? "", out pace);

    public static bool TryParseFormat(string? name, out PreferredFormat format) =>
        Formats.TryGetValue(name ?? "", out format);

    public static string ToWire(this Pace pace) => Paces.First(p => p.Value == pace).Key;

    public static string ToWire(this PreferredFormat format) => Formats.First(f => f.Value == format).Key;
}
