using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PracticeBackend.Api.Hosting;
using PracticeBackend.Api.Security;

namespace PracticeBackend.Api.Tests.Contract;

/// <summary>
/// Sits in every HttpClient a test factory creates: each exchange under /api is checked against the
/// served OpenAPI document, and a broken promise fails the test that made it (ADR 0008). Pages
/// (/email/…), health probes and the dashboards are outside the contract and pass untouched.
/// </summary>
internal sealed class ContractCheckingHandler(Func<Task<ApiContract>> contract) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (!uri.AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var checker = await contract();

        // Buffered, so that the test (and the server) still read the same bytes afterwards.
        var requestBody = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        var exchange = new Exchange(
            request.Method.Method,
            uri.AbsolutePath,
            uri.Query,
            request.Content?.Headers.ContentType?.MediaType,
            requestBody,
            (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            responseBody);
        if (checker.Check(exchange) is { } violation)
        {
            throw new ApiContractViolationException($"The API broke its OpenAPI contract ({OpenApiContract.DocumentPath}):\n{violation}\n\nThe exchange:\n{exchange}");
        }

        return response;
    }
}

/// <summary>A request or response that the served OpenAPI document does not allow.</summary>
public sealed class ApiContractViolationException(string message) : Exception(message);

/// <summary>One contract per test host: fetched (as its first admin) and parsed once, on first use.</summary>
internal static class ApiContracts
{
    private static readonly ConditionalWeakTable<PracticeAppFactory, Lazy<Task<ApiContract>>> Contracts = [];

    public static Task<ApiContract> ForAsync(PracticeAppFactory app) =>
        Contracts.GetValue(app, a => new Lazy<Task<ApiContract>>(() => FetchAsync(a))).Value;

    /// <summary>What <c>WebApplicationFactory.CreateClient</c> builds (redirects, cookies), plus the contract check.</summary>
    public static HttpClient CreateCheckedClient(PracticeAppFactory app, WebApplicationFactoryClientOptions options)
    {
        var handlers = new List<DelegatingHandler>();
        if (options.AllowAutoRedirect)
        {
            handlers.Add(new RedirectHandler(options.MaxAutomaticRedirections));
        }

        if (options.HandleCookies)
        {
            handlers.Add(new CookieContainerHandler());
        }

        // Innermost: it sees what goes over the wire, cookies included, and each redirect hop on its own.
        handlers.Add(new ContractCheckingHandler(() => ForAsync(app)));
        return app.CreateDefaultClient(options.BaseAddress, [.. handlers]);
    }

    private static async Task<ApiContract> FetchAsync(PracticeAppFactory app)
    {
        var configuration = app.Services.GetRequiredService<IConfiguration>();
        var email = configuration[FirstAdmin.EmailVariable];
        var password = configuration[FirstAdmin.PasswordVariable];
        if (string.IsNullOrEmpty(email) || string.IsNullOrEmpty(password))
        {
            throw new InvalidOperationException(
                $"{app.GetType().Name} has no first admin, and outside Development only admins may read {OpenApiContract.DocumentPath}: " +
                "call WithFirstAdmin in its ConfigureWebHost so its API calls can be checked against the contract.");
        }

        using var client = app.CreateDefaultClient(app.ClientOptions.BaseAddress, new CookieContainerHandler());
        using var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        if (!login.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Signing in as {email} to read the OpenAPI document answered {(int)login.StatusCode}.");
        }

        return new ApiContract(await client.GetStringAsync(new Uri(OpenApiContract.DocumentPath, UriKind.Relative)));
    }
}
