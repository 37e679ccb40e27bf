using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PracticeBackend.Grains.Data;
using PracticeBackend.Grains.Staff;

namespace PracticeBackend.Grains.Therapists;

/// <summary>
/// A therapist: the single writer of their profile (and, with scheduling, their availability and
/// calendar). The profile is held in memory, loaded on activation, and written through with the row's
/// <c>xmin</c> as its guard; a conflict reloads and tries once more.
/// </summary>
public sealed partial class TherapistGrain(IDbContextFactory<PracticeDbContext> contexts, PracticeClock clock, ILogger<TherapistGrain> logger)
    : Grain, ITherapistGrain
{
    private Therapist? _therapist;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => await ReloadAsync(cancellationToken);

    public async Task<StaffCommandResult> SaveProfile(SaveTherapistProfile command)
    {
        var id = this.GetPrimaryKey();
        var actor = command.Actor;
        var mayWrite = actor.IsAdmin || (!command.Create && actor.TherapistId == id);
        if (!mayWrite)
        {
            return new StaffCommandResult(command.Create ? StaffCommandOutcome.NotPermitted : StaffCommandOutcome.NotFound);
        }

        for (var attempt = 1; ; attempt++)
        {
            if (command.Create == _therapist is not null)
            {
                return new StaffCommandResult(command.Create ? StaffCommandOutcome.NotAllowedInThisState : StaffCommandOutcome.NotFound);
            }

            var now = clock.GetUtcNow().UtcDateTime;
            var therapist = _therapist ?? new Therapist { Id = id, CreatedAt = now };
            await using var db = await contexts.CreateDbContextAsync();
            if (_therapist is null)
            {
                db.Therapists.Add(therapist);
            }
            else
            {
                db.Therapists.Attach(therapist);
            }

            var profile = command.Profile;
            therapist.DisplayName = profile.DisplayName;
            therapist.Specialties = [.. profile.Specialties];
            therapist.Formats = [.. profile.Formats];
            therapist.AcceptingNewClients = profile.AcceptingNewClients;
            therapist.TimeZone = profile.TimeZone;
            therapist.UpdatedAt = now;
            db.Entry(therapist).Property(t => t.UpdatedAt).IsModified = db.Entry(therapist).State != EntityState.Added;
            try
            {
                await db.SaveChangesAsync();
                _therapist = therapist;
                return new StaffCommandResult(StaffCommandOutcome.Done);
            }
            catch (DbUpdateConcurrencyException) when (attempt == 1)
            {
                LogConflict(logger, id);
                await ReloadAsync(CancellationToken.None);
            }
            catch (DbUpdateConcurrencyException conflict)
            {
                await ReloadAsync(CancellationToken.None);
                throw new Clients.AggregateConflictException($"Therapist {id} was changed by another writer twice in a row; nothing was written.", conflict);
            }
            catch (DbUpdateException exception) when (command.Create && DbErrors.UniqueViolation(exception) == "pk_therapists")
            {
                await ReloadAsync(CancellationToken.None);
                return new StaffCommandResult(StaffCommandOutcome.NotAllowedInThisState);
            }
            catch
            {
                await ReloadAsync(CancellationToken.None);
                throw;
            }
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var id = this.GetPrimaryKey();
        _therapist = await db.Therapists.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Therapist {TherapistId} was written by another activation first; reloaded, trying again")]
    private static partial void LogConflict(ILogger logger, Guid therapistId);
}
