using NodaTime;

namespace PracticeBackend.Domain.Scheduling;

/// <summary>Time on the calendar that is not open to anyone else: held for an offer, requested, or booked.</summary>
/// <param name="Booked">A session that counts toward the day's cap (a hold does not).</param>
public sealed record BusyInterval(Instant Start, Instant End, bool Booked = true);

/// <summary>
/// The open starts an availability leaves, as instants. A working range of a local day (in the therapist's
/// zone) is the set of instants whose local time that day lies in it: for each of the zone's offsets that
/// day, the range shifted by that offset and cut to where the offset holds, pieces that touch joined. So a
/// range across a spring-forward is an hour shorter, one across a fall-back an hour longer, and a range that
/// ends inside a repeated hour is two pieces (its local times come round again). Sessions follow each other
/// in elapsed time from each piece's start, a session plus its buffer apart. A slot is open when the whole
/// session lies in one piece, no busy interval comes within the buffer of it, it is at least the minimum
/// notice away and inside the booking window, and its day has not reached its cap.
/// </summary>
public static class Slots
{
    public static IEnumerable<Instant> Open(Availability availability, IReadOnlyList<BusyInterval> busy, Instant from, Instant to, Instant now)
    {
        var zone = availability.Zone;
        var session = availability.Session;
        var buffer = availability.Buffer;
        var earliest = Max(from, now + Duration.FromHours(availability.MinimumNoticeHours));
        var latest = Min(to, now + Duration.FromDays(availability.BookingWindowDays));
        if (earliest >= latest)
        {
            yield break;
        }

        var taken = new BusyTimes(busy);
        for (var date = earliest.InZone(zone).Date; date <= latest.InZone(zone).Date; date = date.PlusDays(1))
        {
            if (availability.DailyCap is { } cap && BookedOn(date, zone, busy) >= cap)
            {
                continue;
            }

            // In order of time: on a fall-back night the pieces of two ranges can interleave.
            var day = new List<Instant>();
            foreach (var range in availability.RangesOn(date))
            {
                foreach (var (pieceStart, pieceEnd) in Pieces(zone, date, range))
                {
                    for (var start = pieceStart; start + session <= pieceEnd; start += session + buffer)
                    {
                        if (start >= earliest && start < latest && taken.IsFree(start, start + session, buffer))
                        {
                            day.Add(start);
                        }
                    }
                }
            }

            day.Sort();
            foreach (var start in day)
            {
                yield return start;
            }
        }
    }

    /// <summary>Whether a session [start, end) keeps the buffer from every busy interval.</summary>
    public static bool IsFree(Instant start, Instant end, Duration buffer, IReadOnlyList<BusyInterval> busy) =>
        !busy.Any(b => b.Start < end + buffer && start - buffer < b.End);

    /// <summary>The instants whose local time on <paramref name="date"/> lies in <paramref name="range"/>, as ordered, disjoint intervals.</summary>
    public static IEnumerable<(Instant Start, Instant End)> Pieces(DateTimeZone zone, LocalDate date, TimeRange range)
    {
        var localStart = (date + range.Start).InUtc().ToInstant();
        var localEnd = (date + range.End).InUtc().ToInstant();
        var around = new Interval(localStart - Duration.FromDays(1), localEnd + Duration.FromDays(1));
        (Instant Start, Instant End)? pending = null;
        foreach (var offsetHolds in zone.GetZoneIntervals(around))
        {
            var offset = offsetHolds.WallOffset.ToTimeSpan();
            var start = Max(localStart - Duration.FromTimeSpan(offset), offsetHolds.HasStart ? offsetHolds.Start : Instant.MinValue);
            var end = Min(localEnd - Duration.FromTimeSpan(offset), offsetHolds.HasEnd ? offsetHolds.End : Instant.MaxValue);
            if (start >= end)
            {
                continue;
            }

            if (pending is { } open && open.End == start)
            {
                pending = (open.Start, end);
                continue;
            }

            if (pending is { } done)
            {
                yield return done;
            }

            pending = (start, end);
        }

        if (pending is { } last)
        {
            yield return last;
        }
    }

    /// <summary>
    /// Busy intervals ordered by start, with the latest end seen so far at each place: a slot looks only at
    /// the intervals that start before it ends (a binary search) and stops as soon as none before can reach
    /// it, so a long window's cost grows with its slots, not with slots times bookings.
    /// </summary>
    private sealed class BusyTimes
    {
        private readonly BusyInterval[] _byStart;
        private readonly Instant[] _latestEndSoFar;

        public BusyTimes(IReadOnlyList<BusyInterval> busy)
        {
            _byStart = [.. busy.OrderBy(b => b.Start)];
            _latestEndSoFar = new Instant[_byStart.Length];
            for (var i = 0; i < _byStart.Length; i++)
            {
                _latestEndSoFar[i] = i == 0 || _byStart[i].End > _latestEndSoFar[i - 1] ? _byStart[i].End : _latestEndSoFar[i - 1];
            }
        }

        public bool IsFree(Instant start, Instant end, Duration buffer)
        {
            // The first interval that starts at or after end + buffer cannot touch the slot, nor can any after it.
            int low = 0, high = _byStart.Length;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (_byStart[middle].Start < end + buffer)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            for (var i = low - 1; i >= 0 && _latestEndSoFar[i] > start - buffer; i--)
            {
                if (_byStart[i].End > start - buffer)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private static int BookedOn(LocalDate date, DateTimeZone zone, IReadOnlyList<BusyInterval> busy) =>
        busy.Count(b => b.Booked && b.Start.InZone(zone).Date == date);

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private static Instant Min(Instant a, Instant b) => a < b ? a : b;
}
