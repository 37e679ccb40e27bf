using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Grains.Security;

/// <summary>
/// Keyed hashes that let us find a row by a secret value without storing the value: the email
/// look-up (one person, one record) and the fingerprint of a submitted form (to tell an idempotent
/// retry from a reused key). The key is made once per installation and kept sealed in app_secrets,
/// so every node computes the same index; a database dump without the Data Protection keys cannot
/// reverse it by guessing addresses.
/// </summary>
public sealed class BlindIndex(IDbContextFactory<PracticeDbContext> contexts, IDataProtectionProvider provider, PracticeClock clock) : IDisposable
{
    private const string SecretName = "blind-index-key-v1";
    private readonly IDataProtector _protector = provider.CreateProtector("PracticeBackend.AppSecrets.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    public async Task<byte[]> ForEmailAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        Hash(await KeyAsync(cancellationToken), "email", normalizedEmail);

    public async Task<byte[]> ForFingerprintAsync(string canonicalForm, CancellationToken cancellationToken) =>
        Hash(await KeyAsync(cancellationToken), "form", canonicalForm);

    private static byte[] Hash(byte[] key, string domain, string value) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(domain + "\n" + value));

    public void Dispose() => _gate.Dispose();

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        if (_key is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            _key ??= await LoadOrCreateKeyAsync(cancellationToken);
            return _key;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<byte[]> LoadOrCreateKeyAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var candidate = _protector.Protect(RandomNumberGenerator.GetBytes(32));

        // Two nodes starting together may both propose a key; the first insert wins and both read it back.
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO app_secrets (name, protected_value, created_at) VALUES ({SecretName}, {candidate}, {clock.GetUtcNow().UtcDateTime}) ON CONFLICT (name) DO NOTHING",
            cancellationToken);
        var stored = await db.AppSecrets.AsNoTracking().SingleAsync(s => s.Name == SecretName, cancellationToken);
        return _protector.Unprotect(stored.ProtectedValue);
    }
}
