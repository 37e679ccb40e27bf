using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace PracticeBackend.Api.Tests;

/// <summary>Signed-in staff as a browser would be: one HttpClient (one cookie jar) per person.</summary>
internal static class StaffClients
{
    private static readonly string[] Specialties = ["attachment"];
    private static readonly string[] Formats = ["video"];

    public static async Task<HttpClient> SignInAsync(this ApiFixture app, string email, string password, string? code = null)
    {
        var client = app.CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password, twoFactorCode = code });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign-in as {email} answered {(int)response.StatusCode}");
        return client;
    }

    public static Task<HttpClient> SignInAsAdminAsync(this ApiFixture app) =>
        app.SignInAsync(ApiFixture.AdminEmail, ApiFixture.AdminPassword);

    /// <summary>Creates a therapist profile and their account through the admin API; returns them signed in.</summary>
    public static async Task<Therapist> AddTherapistAsync(this ApiFixture app, HttpClient admin, string displayName)
    {
        var profile = await admin.PostAsJsonAsync("/api/staff/therapists", new
        {
            displayName,
            specialties = Specialties,
            formats = Formats,
            acceptingNewClients = true,
            timeZone = "America/Chicago",
        });
        Assert.Equal(HttpStatusCode.Created, profile.StatusCode);
        var therapistId = (await profile.JsonAsync()).GetProperty("id").GetGuid();

        var email = $"{displayName.ToLowerInvariant().Replace(' ', '.')}.{Guid.NewGuid():N}@practice.test";
        var invited = await admin.PostAsJsonAsync("/api/staff/users", new { email, role = "Therapist", therapistId });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var token = (await invited.JsonAsync()).GetProperty("invitationToken").GetString();
        var password = "a long enough passphrase " + Guid.NewGuid().ToString("N")[..6];
        using var anonymous = app.CreateClient();
        var accepted = await anonymous.PostAsJsonAsync("/api/auth/accept-invitation", new { email, invitationToken = token, password });
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        return new Therapist(therapistId, email, password, await app.SignInAsync(email, password));
    }

    /// <summary>An admin invites someone; returns what the invitation email would carry (the person has not accepted yet).</summary>
    public static async Task<(string Email, string Token)> InviteAsync(this HttpClient admin, string role, Guid? therapistId = null)
    {
        var email = $"{role.ToLowerInvariant()}.{Guid.NewGuid():N}@practice.test";
        var invited = await admin.PostAsJsonAsync("/api/staff/users", new { email, role, therapistId });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        return (email, (await invited.JsonAsync()).GetProperty("invitationToken").GetString()!);
    }

    public static async Task<Guid> SubmitIntakeAsync(this ApiFixture app, JsonObject? form = null)
    {
        using var client = app.CreateClient();
        var response = await client.SendAsync(IntakeForms.Post(form ?? IntakeForms.Valid()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("intakeId").GetGuid();
    }

    public static async Task<HttpResponseMessage> AssignAsync(this HttpClient staff, Guid intakeId, Guid therapistId) =>
        await staff.PostAsJsonAsync($"/api/staff/intake/{intakeId}/assign", new { therapistId });

    /// <summary>RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it.</summary>
    public static string Totp(string base32Key, DateTimeOffset at)
    {
        var key = Base32(base32Key);
        var counter = BitConverter.GetBytes(at.ToUnixTimeSeconds() / 30);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }

#pragma warning disable CA5350 // RFC 6238 authenticator apps use HMAC-SHA1; this mirrors them.
        var hash = HMACSHA1.HashData(key, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0F;
        var value = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (value % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var buffer = 0;
        var bytes = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}

internal sealed record Therapist(Guid Id, string Email, string Password, HttpClient Client);
