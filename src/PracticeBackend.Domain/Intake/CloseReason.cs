namespace PracticeBackend.Domain.Intake;

/// <summary>Why a request ended without a booking. Each one leads to an outcome message (no silent declines).</summary>
public enum CloseReason
{
    PersonDeclined = 1,
    Withdrew = 2,
    NoResponse = 3,
    ReferredElsewhere = 4,
    NotAFit = 5,
}

public static class CloseReasonNames
{
    private static readonly Dictionary<string, CloseReason> Names = new(StringComparer.Ordinal)
    {
        ["person-declined"] = CloseReason.PersonDeclined,
        ["withdrew"] = CloseReason.Withdrew,
        ["no-response"] = CloseReason.NoResponse,
        ["referred-elsewhere"] = CloseReason.ReferredElsewhere,
        ["not-a-fit"] = CloseReason.NotAFit,
    };

    public static IReadOnlyCollection<string> All => Names.Keys;

    public static bool TryParse(string? name, out CloseReason reason) => Names.TryGetValue(name ?? "", out reason);

    public static string ToWire(this CloseReason reason) => Names.First(n => n.Value == reason).Key;
}
