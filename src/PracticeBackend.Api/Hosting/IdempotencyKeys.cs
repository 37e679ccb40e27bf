using System.Security.Cryptography;
using System.Text;

namespace PracticeBackend.Api.Hosting;

/// <summary>An Idempotency-Key header (ADR 0003): what a usable one looks like, and the id a request gets from it.</summary>
internal static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 128;

    public static bool IsUsable(string key) => key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~');

    /// <summary>The key's hash, within a purpose ("intake", "appointment"), so one key names one thing of each kind.</summary>
    public static byte[] Hash(string purpose, string key) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(purpose.Length == 0 ? key : purpose + "\n" + key));

    /// <summary>RFC 9562 version 8 ("custom"): 122 bits of the key's hash, so every retry lands on the same id.</summary>
    public static Guid IdFrom(byte[] hash)
    {
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
