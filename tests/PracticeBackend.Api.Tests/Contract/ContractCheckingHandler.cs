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

/// <summary>
/// The contract every test host's client is checked against: the committed document (docs/openapi/v1.json),
/// the one the client is generated from, read once. That the app serves exactly it is ApiContractTests' to
/// prove, so no host needs to sign in (and spend a sign-in permit) to be checked.
/// </summary>
internal static class ApiContracts
{
    private static readonly Lazy<Task<ApiContract>> Committed = new(async () =>
        new ApiContract(await File.ReadAllTextAsync(Path.Combine(PracticeBackend.Testing.TestPostgres.RepositoryRoot(), "docs", "openapi", "v1.json"))));

    public static Task<ApiContract> ForAsync() => Committed.Value;

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
        handlers.Add(new ContractCheckingHandler(ForAsync));
        return app.CreateDefaultClient(options.BaseAddress, [.. handlers]);
    }
}
