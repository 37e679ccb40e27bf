using Microsoft.EntityFrameworkCore;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Clients;

/// <summary>
/// The person's controls, as links: one fresh 256-bit token per purpose per message, stored only as its
/// SHA-256 hash, so a database dump cannot be turned back into working links.
/// </summary>
public static class LinkTokens
{
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    /// <summary>
    /// The live token row a link's token names (of this purpose, when given): not revoked, and never one of an
    /// erased person. Empty for a token of the wrong size, without a look at the database's index.
    /// </summary>
    public static IQueryable<ContactToken> Active(PracticeDbContext db, string token, string? purpose = null)
    {
        if (token.Length is < 20 or > 100)
        {
            return db.ContactTokens.Where(_ => false);
        }

        var hash = Hash(token);
        var active = db.ContactTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .Where(t => db.Clients.Any(c => c.Id == t.ClientId && c.ErasedAt == null));
        return purpose is null ? active : active.Where(t => t.Purpose == purpose);
    }

    /// <summary>Adds a token row per purpose for one message and returns the raw tokens (for the links only).</summary>
    /// <param name="offerId">For an offer of times: its link answers that offer.</param>
    /// <param name="sessionSubjectId">For a message about a booked session: the offer it was picked from, or the appointment; its manage link opens it.</param>
    public static IssuedLinks Issue(PracticeDbContext db, Guid clientId, Guid outboxMessageId, DateTime now, bool confirmAddress, Guid? offerId = null, Guid? sessionSubjectId = null)
    {
        string Token(string purpose)
        {
            var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
            db.ContactTokens.Add(new ContactToken
            {
                Id = Guid.CreateVersion7(),
                ClientId = clientId,
                OutboxMessageId = outboxMessageId,
                Purpose = purpose,
                SubjectId = purpose switch
                {
                    TokenPurposes.Offer => offerId,
                    TokenPurposes.Manage => sessionSubjectId,
                    _ => null,
                },
                TokenHash = Hash(token),
                CreatedAt = now,
            });
            return token;
        }

        return new IssuedLinks(
            Token(TokenPurposes.Stop),
            Token(TokenPurposes.Pause),
            Token(TokenPurposes.ChangePace),
            Token(TokenPurposes.NotNow),
            Token(TokenPurposes.Erase),
            confirmAddress ? Token(TokenPurposes.ConfirmAddress) : null,
            offerId is null ? null : Token(TokenPurposes.Offer),
            sessionSubjectId is null ? null : Token(TokenPurposes.Manage),
            sessionSubjectId is null ? null : Token(TokenPurposes.Reminders));
    }
}
