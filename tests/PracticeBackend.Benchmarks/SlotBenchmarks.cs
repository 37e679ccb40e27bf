using BenchmarkDotNet.Attributes;
using NodaTime;
using PracticeBackend.Domain.Scheduling;

namespace PracticeBackend.Benchmarks;

/// <summary>
/// <c>-- slots</c>: open slots for a full-time week (two ranges a weekday) with a busy calendar (a third of
/// its sessions booked), for windows of 7 to 90 days, in New York across the spring change. How the cost
/// grows with the window shows whether the busy list is scanned per slot.
/// </summary>
[MemoryDiagnoser]
public class SlotBenchmarks
{
    private static readonly Instant From = Instant.FromUtc(2027, 3, 1, 5, 0);

    private Availability _availability = null!;
    private List<BusyInterval> _busy = null!;

    [Params(7, 30, 60, 90)]
    public int WindowDays { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var weekdays = Enumerable.Range(1, 5).SelectMany(d => new[]
        {
            new WeeklyHours((IsoDayOfWeek)d, new TimeRange(new LocalTime(9, 0), new LocalTime(12, 0))),
            new WeeklyHours((IsoDayOfWeek)d, new TimeRange(new LocalTime(13, 0), new LocalTime(18, 0))),
        });
        _availability = new Availability("America/New_York", [.. weekdays], [], MinimumNoticeHours: 0, BookingWindowDays: 365);
        var all = Slots.Open(_availability, [], From, From + Duration.FromDays(WindowDays), From).ToList();
        _busy = [.. all.Where((_, i) => i % 3 == 0).Select(s => new BusyInterval(s, s + _availability.Session))];
    }

    [Benchmark]
    public int OpenSlots() => Slots.Open(_availability, _busy, From, From + Duration.FromDays(WindowDays), From).Count();
}
