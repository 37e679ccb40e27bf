using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using System.Security.Cryptography;
using PracticeBackend.Grains.Data;

using PracticeBackend.Grains;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Server-side staff sessions. The absolute lifetime (12 h from sign-in) is enforced here; the idle
/// timeout (30 min, sliding) by the cookie ticket's own expiry. Removing the row signs out everywhere.
/// </summary>
public sealed class DbTicketStore(IDbContextFactory<PracticeDbContext> contexts, PracticeClock clock) : ITicketStore
{
    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var session = new StaffSession
        {
            Id = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32)),
            UserId = Guid.Parse(ticket.Principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value),
            Ticket = TicketSerializer.Default.Serialize(ticket),
            CreatedAt = now,
            ExpiresAt = now + StaffAuthentication.AbsoluteTimeout,
        };
        await using var db = await contexts.CreateDbContextAsync();
        db.StaffSessions.Add(session);
        await db.SaveChangesAsync();
        return session.Id;
    }

    public async Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var bytes = TicketSerializer.Default.Serialize(ticket);
        await db.StaffSessions.Where(s => s.Id == key)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Ticket, bytes));
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var now = clock.GetUtcNow().UtcDateTime;
        var session = await db.StaffSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == key);
        if (session is null)
        {
            return null;
        }

        if (session.ExpiresAt <= now)
        {
            await db.StaffSessions.Where(s => s.Id == key).ExecuteDeleteAsync();
            return null;
        }

        return TicketSerializer.Default.Deserialize(session.Ticket);
    }

    public async Task RemoveAsync(string key)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.StaffSessions.Where(s => s.Id == key).ExecuteDeleteAsync();
    }

    /// <summary>Expired sessions: the cookie is worthless already; the row need not outlive it.</summary>
    public async Task RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.StaffSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
    }
}
