using CsCheck;
using PracticeBackend.Domain.Intake;

namespace PracticeBackend.Testing;

/// <summary>What a simulated person (or the practice, or the mail system) does, on a day after they first wrote.</summary>
public enum Act
{
    ChangePace,
    Pause30,
    Pause90,
    Resume,
    Stop,
    NotNow,
    Reply,
    StaffWrite,
    StaffClose,
    WriteAgain,
    ConfirmAddress,
    Erase,

    /// <summary>The mail server refuses the address for good on the next send.</summary>
    BounceNext,

    /// <summary>The mail server is down for <see cref="Scripted.Hours"/>: sends fail and are retried.</summary>
    SmtpDown,

    /// <summary>The sender does not run for <see cref="Scripted.Hours"/> (a crash, a deploy): the clock jumps when it returns.</summary>
    SenderDown,
}

/// <param name="Day">Days after the person first wrote (fractional: any time of day).</param>
/// <param name="Pace">For a pace change or a new request.</param>
/// <param name="Hours">For outages.</param>
public sealed record Scripted(double Day, Act Act, Pace Pace, int Hours, bool Crisis);

/// <param name="Start">When they first write; anywhere in the year, so DST changes fall inside some runs.</param>
public sealed record PersonScript(string TimeZone, DateTimeOffset Start, Pace Pace, bool Crisis, IReadOnlyList<Scripted> Actions)
{
    /// <summary>Random events are spread over 90 days; the run then watches ten more quiet days.</summary>
    public const int EventDays = 90;
    public const int WatchedDays = 100;

    public override string ToString() =>
        $"{TimeZone} from {Start:O}, {Pace}{(Crisis ? ", crisis" : "")}: " + string.Join("; ", Actions.Select(a => $"day {a.Day:0.00} {a.Act} {a.Pace} {a.Hours}h"));
}

/// <summary>CsCheck generators of people's 90 days.</summary>
public static class PersonScripts
{
    private static readonly string[] Zones =
        ["America/New_York", "Europe/London", "America/Los_Angeles", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland", "America/Chicago"];

    private static readonly Gen<Pace> Paces = Gen.Enum<Pace>();

    private static readonly Gen<Act> Acts = Gen.Frequency(
        (15, Gen.Const(Act.ChangePace)),
        (5, Gen.Const(Act.Pause30)),
        (3, Gen.Const(Act.Pause90)),
        (4, Gen.Const(Act.Resume)),
        (6, Gen.Const(Act.Stop)),
        (5, Gen.Const(Act.NotNow)),
        (6, Gen.Const(Act.Reply)),
        (8, Gen.Const(Act.StaffWrite)),
        (4, Gen.Const(Act.StaffClose)),
        (8, Gen.Const(Act.WriteAgain)),
        (6, Gen.Const(Act.ConfirmAddress)),
        (1, Gen.Const(Act.Erase)),
        (2, Gen.Const(Act.BounceNext)),
        (4, Gen.Const(Act.SmtpDown)),
        (4, Gen.Const(Act.SenderDown)));

    private static readonly Gen<Scripted> Action =
        Gen.Select(Gen.Double[0, PersonScript.EventDays], Acts, Paces, Gen.Int[1, 72], Gen.Int[0, 19], (day, act, pace, hours, crisis) => new Scripted(day, act, pace, hours, crisis == 0));

    public static readonly Gen<PersonScript> People =
        Gen.Select(
            Gen.Int[0, Zones.Length - 1],
            Gen.Int[0, 364 * 24 * 60],
            Paces,
            Gen.Int[0, 19],
            Action.Array[0, 10],
            (zone, minute, pace, crisis, actions) => new PersonScript(
                Zones[zone],
                new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(minute),
                pace,
                crisis == 0,
                [.. actions.OrderBy(a => a.Day)]));
}
