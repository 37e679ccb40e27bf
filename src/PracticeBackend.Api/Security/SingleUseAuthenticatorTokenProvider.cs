using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Security;

/// <summary>
/// Authenticator-app codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) that work once. Identity's
/// own provider accepts a code again and again for as long as its step is in the window, so a code
/// seen over a shoulder or in a proxy log signs in a second time. Here the step a code matched is
/// recorded in Identity's user tokens, and a code of that step or an earlier one is refused.
/// </summary>
internal sealed class SingleUseAuthenticatorTokenProvider(IDbContextFactory<PracticeDbContext> contexts, TimeProvider time)
    : IUserTwoFactorTokenProvider<StaffUser>
{
    public const string LoginProvider = "[PracticeAuthenticator]";
    public const string LastUsedStepName = "LastUsedStep";
    public const string PendingKeyName = "PendingKey";

    // Where Identity's own user store keeps the authenticator key (UserStoreBase's internal names).
    private const string IdentityStore = "[AspNetUserStore]";
    private const string IdentityAuthenticatorKey = "AuthenticatorKey";

    private const int StepSeconds = 30;
    private const int Digits = 6;

    // One step either side covers a phone clock a little off and a code typed as it changes.
    private const int StepsOfDrift = 1;

    public Task<string> GenerateAsync(string purpose, UserManager<StaffUser> manager, StaffUser user) =>
        Task.FromResult(string.Empty); // the person's app makes the codes

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<StaffUser> manager, StaffUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<StaffUser> manager, StaffUser user) =>
        MatchingStep(await manager.GetAuthenticatorKeyAsync(user), token) is { } step && await TryClaimStepAsync(user.Id, step);

    /// <summary>
    /// A re-key's new key takes over only once a code from it is accepted (until then the old key keeps
    /// working, so an abandoned re-key locks no one out). The step it matched is the key's first used one.
    /// </summary>
    public async Task<bool> TryAdoptPendingKeyAsync(UserManager<StaffUser> manager, StaffUser user, string token)
    {
        var pending = await manager.GetAuthenticationTokenAsync(user, LoginProvider, PendingKeyName);
        if (MatchingStep(pending, token) is not { } step)
        {
            return false;
        }

        await manager.SetAuthenticationTokenAsync(user, IdentityStore, IdentityAuthenticatorKey, pending);
        await manager.RemoveAuthenticationTokenAsync(user, LoginProvider, PendingKeyName);
        await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastUsedStepName, step.ToString("D19", CultureInfo.InvariantCulture));
        return true;
    }

    public static Task SetPendingKeyAsync(UserManager<StaffUser> manager, StaffUser user, string key) =>
        manager.SetAuthenticationTokenAsync(user, LoginProvider, PendingKeyName, key);

    public static async Task<bool> HasPendingKeyAsync(UserManager<StaffUser> manager, StaffUser user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticationTokenAsync(user, LoginProvider, PendingKeyName));

    private long? MatchingStep(string? key, string token)
    {
        if (string.IsNullOrWhiteSpace(key) || token.Length != Digits || !token.All(char.IsAsciiDigit))
        {
            return null;
        }

        var secret = Base32.Decode(key);
        var now = time.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
        for (var step = now + StepsOfDrift; step >= now - StepsOfDrift; step--)
        {
            if (CodesEqual(Code(secret, step), token))
            {
                return step;
            }
        }

        return null;
    }

    /// <summary>
    /// Records <paramref name="step"/> as used unless it, or a later one, already is. One conditional
    /// UPDATE (or, the first time, one INSERT against the primary key) decides, so of two requests
    /// with the same code at the same moment exactly one wins.
    /// </summary>
    private async Task<bool> TryClaimStepAsync(Guid userId, long step)
    {
        // Fixed width, so that comparing the stored text compares the numbers.
        var value = step.ToString("D19", CultureInfo.InvariantCulture);
        await using var db = await contexts.CreateDbContextAsync();
        var lastUsed = db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == LoginProvider && t.Name == LastUsedStepName);
#pragma warning disable CA1309 // translated to SQL "<" under the byte-wise "C" collation, never run in .NET
        var advanced = await lastUsed
            .Where(t => string.Compare(EF.Functions.Collate(t.Value!, "C"), value) < 0)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.Value, value));
#pragma warning restore CA1309
        if (advanced == 1)
        {
            return true;
        }

        if (await lastUsed.AnyAsync())
        {
            return false;
        }

        db.UserTokens.Add(new IdentityUserToken<Guid> { UserId = userId, LoginProvider = LoginProvider, Name = LastUsedStepName, Value = value });
        try
        {
            await db.SaveChangesAsync();
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return false; // the same first code, used at the same moment elsewhere, claimed the step
        }
    }

    private static string Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
#pragma warning disable CA5350 // RFC 6238 as authenticator apps implement it is HMAC-SHA1; its use here is not a weakness.
        var hash = HMACSHA1.HashData(secret, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7FFF_FFFF;
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private static bool CodesEqual(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given));

    /// <summary>RFC 4648 base32, as Identity writes authenticator keys (upper case, no padding).</summary>
    private static class Base32
    {
        private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

        public static byte[] Decode(string text)
        {
            var bytes = new List<byte>(text.Length * 5 / 8);
            var buffer = 0;
            var bits = 0;
            foreach (var c in text.TrimEnd('='))
            {
                var value = Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
                if (value < 0)
                {
                    continue; // spaces or dashes a person may have typed into a key
                }

                buffer = ((buffer << 5) | value) & 0xFFFF;
                bits += 5;
                if (bits >= 8)
                {
                    bits -= 8;
                    bytes.Add((byte)(buffer >> bits));
                }
            }

            return [.. bytes];
        }
    }
}
