namespace PracticeBackend.Grains;

/// <summary>
/// The clock the practice's own rules run on: pacing, send windows, sessions, retention, audit times.
/// It is a separate service from the <see cref="TimeProvider"/> that Orleans and ASP.NET Core use, so
/// tests can move practice time by days without the silo's membership deciding it has died.
/// </summary>
public sealed class PracticeClock(TimeProvider source) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => source.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => source.LocalTimeZone;
}
