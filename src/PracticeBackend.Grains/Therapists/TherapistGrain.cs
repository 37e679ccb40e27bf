using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;
using PracticeBackend.Domain.Scheduling;
using Calendar = PracticeBackend.Domain.Scheduling.Calendar;
using PracticeBackend.Grains.Clients;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Therapists;

/// <summary>
/// A therapist: the single writer of their profile and availability (and, with bookings, their calendar).
/// The row is held in memory, loaded on activation, and written through with its <c>xmin</c> as the guard;
/// a conflict reloads and tries once more, a second fails with nothing written.
/// </summary>
public sealed partial class TherapistGrain(IDbContextFactory<PracticeDbContext> contexts, PracticeClock clock, ILogger<TherapistGrain> logger)
    : Grain, ITherapistGrain, IIncomingGrainCallFilter
{
    private Therapist? _therapist;

    private Availability? _availability;

    /// <summary>Their appointments ending less than <see cref="CalendarKeeps"/> ago, as rows and as the domain's calendar (only active ones take time).</summary>
    private Dictionary<Guid, AppointmentRow> _appointments = [];

    /// <summary>Their offers made less than <see cref="CalendarKeeps"/> ago, or still open, or not yet told to the person.</summary>
    private Dictionary<Guid, OfferRow> _offers = [];

    private Calendar _calendar = new([], Duration.Zero);

    private Guid TherapistId => this.GetPrimaryKey();

    private bool _loaded;

    /// <summary>Loaded before the first call of an activation, and again after a failed write that could not reload.</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!_loaded)
        {
            await ReloadAsync(CancellationToken.None);
            _loaded = true;
        }

        await context.Invoke();
    }

    public async Task<StaffCommandResult> SaveProfile(SaveTherapistProfile command)
    {
        var actor = command.Actor;
        var mayWrite = actor.IsAdmin || (!command.Create && actor.TherapistId == TherapistId);
        if (!mayWrite)
        {
            return new StaffCommandResult(command.Create ? StaffCommandOutcome.NotPermitted : StaffCommandOutcome.NotFound);
        }

        try
        {
            return await WriteAsync(command.Create, therapist =>
            {
                var profile = command.Profile;
                therapist.DisplayName = profile.DisplayName;
                therapist.Specialties = [.. profile.Specialties];
                therapist.Formats = [.. profile.Formats];
                therapist.AcceptingNewClients = profile.AcceptingNewClients;
                therapist.TimeZone = profile.TimeZone;
                therapist.VideoLink = profile.VideoLink;
                return StaffCommandOutcome.Done;
            });
        }
        catch (DbUpdateException exception) when (command.Create && DbErrors.UniqueViolation(exception) == "pk_therapists")
        {
            return new StaffCommandResult(StaffCommandOutcome.NotAllowedInThisState);
        }
    }

    public async Task<StaffCommandResult> SetAvailability(SetAvailability command)
    {
        if (!(command.Actor.IsAdmin || command.Actor.TherapistId == TherapistId))
        {
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        var availability = command.Availability.ToDomain();
        if (availability.Problems().Count > 0)
        {
            return new StaffCommandResult(StaffCommandOutcome.NotAllowedInThisState);
        }

        var result = await WriteAsync(create: false, therapist =>
        {
            therapist.Availability = command.Availability.ToJson();
            return StaffCommandOutcome.Done;
        });
        if (result.Outcome == StaffCommandOutcome.Done)
        {
            LogAvailabilitySet(logger, TherapistId, availability.Weekly.Count, availability.Overrides.Count);
        }

        return result;
    }

    public async Task<StaffCommandResult> SetCalendarFeed(SetCalendarFeed command)
    {
        if (!(command.Actor.IsAdmin || command.Actor.TherapistId == TherapistId))
        {
            return new StaffCommandResult(StaffCommandOutcome.NotFound);
        }

        return await WriteAsync(create: false, therapist =>
        {
            therapist.CalendarFeedTokenHash = command.TokenHash;
            return StaffCommandOutcome.Done;
        });
    }

    public Task<AvailabilityDocument?> GetAvailability() =>
        Task.FromResult(_therapist is null ? null : AvailabilityDocument.From(_availability ?? Availability.None(_therapist.TimeZone)));

    public Task<OpenSlots?> FindOpenSlots(FindOpenSlots query)
    {
        if (_therapist is null)
        {
            return Task.FromResult<OpenSlots?>(null);
        }

        var availability = _availability ?? Availability.None(_therapist.TimeZone);
        var starts = Slots.Open(availability, Busy(), Instant.FromDateTimeOffset(query.From), Instant.FromDateTimeOffset(query.To), Instant.FromDateTimeOffset(clock.GetUtcNow()))
            .Select(s => s.ToDateTimeOffset())
            .ToArray();
        return Task.FromResult<OpenSlots?>(new OpenSlots(availability.TimeZone, availability.SessionMinutes, starts));
    }

    /// <summary>What is already taken on the calendar: its active appointments, and the times held for open offers.</summary>
    private IReadOnlyList<BusyInterval> Busy() => _calendar.Busy(Instant.FromDateTimeOffset(clock.GetUtcNow()));

    /// <summary>One change to the therapist's row (profile or availability), written through <see cref="WriteThroughAsync{T}"/>.</summary>
    private Task<StaffCommandResult> WriteAsync(bool create, Func<Therapist, StaffCommandOutcome> change) =>
        WriteThroughAsync(async now =>
        {
            if (create == _therapist is not null)
            {
                return new StaffCommandResult(create ? StaffCommandOutcome.NotAllowedInThisState : StaffCommandOutcome.NotFound);
            }

            var therapist = _therapist ?? new Therapist { Id = TherapistId, CreatedAt = now };
            await using var db = await contexts.CreateDbContextAsync();
            if (create)
            {
                db.Therapists.Add(therapist);
            }
            else
            {
                db.Therapists.Attach(therapist);
            }

            var outcome = change(therapist);
            therapist.UpdatedAt = now;
            db.Entry(therapist).Property(t => t.UpdatedAt).IsModified = !create;
            await db.SaveChangesAsync();
            Hold(therapist);
            return new StaffCommandResult(outcome);
        });

    /// <summary>
    /// Every write of the therapist's aggregate (profile, availability, calendar): the therapist row's
    /// <c>xmin</c> is the guard. On a conflict the state is reloaded and the command decides once more on what
    /// is now true; a second conflict fails with nothing written. Any other failure reloads too (or forgets,
    /// if the database cannot be read), since memory may be ahead of the database.
    /// </summary>
    private async Task<T> WriteThroughAsync<T>(Func<DateTime, Task<T>> attempt)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await attempt(clock.GetUtcNow().UtcDateTime);
            }
            catch (DbUpdateConcurrencyException) when (tries == 1)
            {
                LogConflict(logger, TherapistId);
                if (!await ReloadOrForgetAsync())
                {
                    throw;
                }
            }
            catch (DbUpdateConcurrencyException conflict)
            {
                await ReloadOrForgetAsync();
                throw new AggregateConflictException($"Therapist {TherapistId} was changed by another writer twice in a row; nothing was written.", conflict);
            }
            catch
            {
                await ReloadOrForgetAsync();
                throw;
            }
        }
    }

    private void Hold(Therapist? therapist)
    {
        _therapist = therapist;
        _availability = AvailabilityDocument.FromJson(therapist?.Availability)?.ToDomain();
        _calendar = new Calendar(_appointments.Values.Select(ToDomain), _offers.Values.Select(ToDomain), (_availability ?? Availability.None("UTC")).Buffer);
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var therapist = await db.Therapists.AsNoTracking().SingleOrDefaultAsync(t => t.Id == TherapistId, cancellationToken);
        var since = clock.GetUtcNow().UtcDateTime - CalendarKeeps;
        _appointments = therapist is null
            ? []
            : await db.Appointments.AsNoTracking()
                .Where(a => a.TherapistId == TherapistId && a.EndsAt > since)
                .ToDictionaryAsync(a => a.Id, cancellationToken);
        _offers = therapist is null
            ? []
            : await db.Offers.AsNoTracking()
                .Where(o => o.TherapistId == TherapistId && (o.CreatedAt > since || o.Status == OfferStatus.Open || o.PersonToldAt == null))
                .ToDictionaryAsync(o => o.Id, cancellationToken);
        Hold(therapist);
    }

    /// <summary>
    /// After a failed write, memory may be ahead of the database: reload. If the database cannot be read
    /// either, forget it (the next call loads what is true) and say so: the caller must not decide again on
    /// memory that holds what was never saved.
    /// </summary>
    private async Task<bool> ReloadOrForgetAsync()
    {
        try
        {
            await ReloadAsync(CancellationToken.None);
            return true;
        }
        catch (Exception reload)
        {
            LogForgotten(logger, TherapistId, reload.GetType().Name);
            _loaded = false;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Therapist {TherapistId} was written by another activation first; reloaded, trying again")]
    private static partial void LogConflict(ILogger logger, Guid therapistId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Therapist {TherapistId} could not be reloaded after a failed write ({Failure}); the next call loads it afresh")]
    private static partial void LogForgotten(ILogger logger, Guid therapistId, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Therapist {TherapistId} set their availability ({WeeklyRanges} weekly ranges, {Overrides} date overrides)")]
    private static partial void LogAvailabilitySet(ILogger logger, Guid therapistId, int weeklyRanges, int overrides);
}
