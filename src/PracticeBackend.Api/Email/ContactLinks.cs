using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Email;

/// <summary>
/// The person's controls, as links: one fresh 256-bit token per purpose per message, stored only as
/// its SHA-256 hash, so a database dump cannot be turned back into working links.
/// </summary>
public sealed class ContactLinks(IOptions<PracticeOptions> practice)
{
    public const string RoutePrefix = "/email";

    public MessageLinks Issue(PracticeDbContext db, Guid clientId, Guid outboxMessageId, DateTime now, bool confirmAddress = false)
    {
        Uri Link(string purpose)
        {
            var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
            db.ContactTokens.Add(new ContactToken
            {
                Id = Guid.CreateVersion7(),
                ClientId = clientId,
                OutboxMessageId = outboxMessageId,
                Purpose = purpose,
                TokenHash = Hash(token),
                CreatedAt = now,
            });
            return new Uri(practice.Value.PublicBaseUrl!, $"{RoutePrefix}/{token}");
        }

        return new MessageLinks(
            Stop: Link(TokenPurposes.Stop),
            Pause: Link(TokenPurposes.Pause),
            ChangePace: Link(TokenPurposes.ChangePace),
            NotNow: Link(TokenPurposes.NotNow),
            EraseMyData: Link(TokenPurposes.Erase),
            ConfirmAddress: confirmAddress ? Link(TokenPurposes.ConfirmAddress) : null);
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));
}
