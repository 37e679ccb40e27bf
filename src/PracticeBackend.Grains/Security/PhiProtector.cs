using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace PracticeBackend.Grains.Security;

/// <summary>
/// Seals names, contact details and free text before they leave the web request, and opens them only
/// where a person's words must be shown or sent. Keys live in PostgreSQL so every node reads every row.
/// </summary>
public sealed class PhiProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("PracticeBackend.Phi.v1");

    public byte[]? Seal(string? plaintext) =>
        plaintext is null ? null : _protector.Protect(Encoding.UTF8.GetBytes(plaintext));

    public string? Unseal(byte[]? sealedValue) =>
        sealedValue is null ? null : Encoding.UTF8.GetString(_protector.Unprotect(sealedValue));
}
