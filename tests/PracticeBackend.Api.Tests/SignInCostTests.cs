using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Tests;

/// <summary>The app with its password hasher wrapped in a counter: the hash work is what makes a sign-in slow.</summary>
public sealed class CountingHasherApp : PracticeAppFactory
{
    public const string AdminEmail = "admin@cost.test";
    public const string AdminPassword = "amber canyon whistle orchard";

    public HashVerifications Verifications { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithoutRateLimits(builder);
        WithFirstAdmin(builder, AdminEmail, AdminPassword);
        builder.ConfigureTestServices(services => services.AddScoped<IPasswordHasher<StaffUser>>(sp =>
            new CountingPasswordHasher(new PasswordHasher<StaffUser>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>()), Verifications)));
    }
}

public sealed class HashVerifications
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);
}

internal sealed class CountingPasswordHasher(IPasswordHasher<StaffUser> inner, HashVerifications verifications) : IPasswordHasher<StaffUser>
{
    public string HashPassword(StaffUser user, string password) => inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(StaffUser user, string hashedPassword, string providedPassword)
    {
        verifications.Add();
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

/// <summary>An observer timing sign-ins learns which emails have accounts unless every refusal costs the same hash work.</summary>
public sealed class SignInCostTests(CountingHasherApp app) : IClassFixture<CountingHasherApp>
{
    [Fact]
    public async Task SignIn_VerifiesOneHash_WhenTheEmailHasNoAccount()
    {
        var spent = await HashesSpentAsync("nobody.here@cost.test", CountingHasherApp.AdminPassword);

        Assert.Equal(1, spent);
    }

    [Fact]
    public async Task SignIn_VerifiesOneHash_WhenThePasswordIsWrong()
    {
        var spent = await HashesSpentAsync(CountingHasherApp.AdminEmail, "not the admin's passphrase");

        Assert.Equal(1, spent);
    }

    [Fact]
    public async Task SignIn_VerifiesOneHash_WhenTheAccountIsLockedOut()
    {
        using var client = app.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await client.PostAsJsonAsync("/api/auth/login", new { email = CountingHasherApp.AdminEmail, password = "wrong passphrase number " + i });
        }

        var spent = await HashesSpentAsync(CountingHasherApp.AdminEmail, CountingHasherApp.AdminPassword);

        Assert.Equal(1, spent);
    }

    private async Task<int> HashesSpentAsync(string email, string password)
    {
        using var client = app.CreateClient();
        var before = app.Verifications.Count;

        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return app.Verifications.Count - before;
    }
}
