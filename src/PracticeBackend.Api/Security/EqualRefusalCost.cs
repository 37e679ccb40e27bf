using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Security;

/// <summary>
/// A wrong password costs one hash verification (deliberately slow); a refusal that skips it would
/// answer faster and tell a timing observer which emails have accounts. This spends the same work
/// against a hash of a random password that nobody knows.
/// </summary>
internal sealed class EqualRefusalCost
{
    private static readonly StaffUser Nobody = new();
    private string? _unknowableHash;

    public void Spend(IPasswordHasher<StaffUser> hasher, string password)
    {
        var hash = LazyInitializer.EnsureInitialized(ref _unknowableHash,
            () => hasher.HashPassword(Nobody, Convert.ToHexString(RandomNumberGenerator.GetBytes(32))));
        _ = hasher.VerifyHashedPassword(Nobody, hash, password);
    }
}
