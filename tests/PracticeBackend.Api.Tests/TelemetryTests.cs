using System.Net;
using System.Text;
using Hangfire.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// ADR 0014 end to end: the real app exports traces and metrics to a real OTLP receiver on a socket and
/// serves a Prometheus scrape on a port of its own, and DESIGN invariant 6 holds there too: what a person
/// typed, and the secret in their link, appear in none of it.
/// </summary>
public sealed class TelemetryTests
{
    [Fact(Timeout = 180_000)]
    public async Task Collector_GetsRouteNamedSpansJobSpansAndCounters_ButNothingOfThePersonNorTheirLinkToken()
    {
        await using var collector = new OtlpReceiver();
        var metricsPort = FreePorts.Next();
        var marker = Guid.NewGuid().ToString("N")[..12];
        var phoneDigits = string.Concat(marker.Select(c => (char)('0' + (c % 10))));
        var email = $"canary.{marker}@example.org";
        var form = IntakeForms.Valid(email);
        form["name"] = $"Canary{marker}";
        form["phone"] = $"+1 {phoneDigits}";
        form["message"] = $"Canary words {marker}; I have not slept properly in weeks.";

        string token;
        string scrape;
        HttpStatusCode metricsOnPublicPort;
        var app = new TelemetryApp(collector.Endpoint, metricsPort);
        try
        {
            await app.InitializeAsync();
            Assert.Equal(HttpStatusCode.Created, (await app.PostIntakeAsync(form)).StatusCode);
            await app.DeliverDueAsync();
            var pause = app.Link(Assert.Single(app.MailTo(email)), "Pause these emails");
            token = pause.Segments[^1];
            using var client = app.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(pause)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/no/such/page/{token}?about={marker}", UriKind.Relative))).StatusCode);

            metricsOnPublicPort = (await client.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode;
            using var scraper = new HttpClient();
            scrape = await scraper.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        }
        finally
        {
            // The providers export what they still hold as the host stops: after this, the collector has everything.
            await app.DisposeAsync();
        }

        Assert.Equal(HttpStatusCode.NotFound, metricsOnPublicPort);
        Assert.Contains("practice_intake_submitted_total", scrape, StringComparison.Ordinal);
        Assert.Matches("practice_outbox_sends_total\\{[^}]*outcome=\"sent\"", scrape);

        var traces = Encoding.Latin1.GetString(collector.Bodies("/v1/traces"));
        Assert.Contains("POST /api/intake/", traces, StringComparison.Ordinal);
        Assert.Contains("GET /email/{token}", traces, StringComparison.Ordinal);
        Assert.Contains("SendOutboxBatchJob.RunAsync", traces, StringComparison.Ordinal);
        Assert.Contains("IIntakeRequestGrain/", traces, StringComparison.Ordinal);
        Assert.Contains("INSERT INTO", traces, StringComparison.Ordinal);
        Assert.Contains("practice-backend-test", traces, StringComparison.Ordinal);
        var metrics = Encoding.Latin1.GetString(collector.Bodies("/v1/metrics"));
        Assert.Contains("practice.intake.submitted", metrics, StringComparison.Ordinal);
        Assert.Contains("practice.outbox.sends", metrics, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", metrics, StringComparison.Ordinal);

        foreach (var exported in new[] { collector.Everything, scrape })
        {
            Assert.DoesNotContain(marker, exported, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(phoneDigits, exported, StringComparison.Ordinal);
            Assert.DoesNotContain(token, exported, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https address")]
    [InlineData("Practice:Telemetry:PrometheusPort", "metrics", "Practice:Telemetry:PrometheusPort must be a TCP port")]
    [InlineData("Practice:Telemetry:PrometheusPort", "70000", "Practice:Telemetry:PrometheusPort must be a TCP port")]
    public async Task Host_RefusesToStart_NamingTheSetting_WhenATelemetrySettingIsNotUsable(string setting, string value, string refusal)
    {
        var app = new SettingApp(setting, value);
        try
        {
            var failure = await Record.ExceptionAsync(app.InitializeAsync);

            Assert.Contains(Chain(failure), e => e is InvalidOperationException && e.Message.StartsWith(refusal, StringComparison.Ordinal));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}

/// <summary>Without an OTLP endpoint or a scrape port (the shared test host), telemetry is not there at all, so it costs nothing.</summary>
[Collection(Api.Name)]
public sealed class TelemetryOffTests(ApiFixture app)
{
    [Fact]
    public void NoProviderJobFilterOrGrainCallFilter_IsRegistered_WhenNoTelemetryIsConfigured()
    {
        Assert.Null(app.Services.GetService<TracerProvider>());
        Assert.Null(app.Services.GetService<MeterProvider>());
        Assert.Same(JobFilterProviders.Providers, app.Services.GetService<IJobFilterProvider>());
        Assert.DoesNotContain(app.Services.GetServices<Orleans.IIncomingGrainCallFilter>(), f => f.GetType().Name.Contains("Activity", StringComparison.Ordinal));
    }
}

/// <summary>The follow-up host, exporting to <paramref name="collector"/> and serving a scrape on <paramref name="metricsPort"/>.</summary>
public sealed class TelemetryApp(Uri collector, int metricsPort) : FollowUpApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", collector.ToString());
        builder.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        builder.UseSetting("OTEL_SERVICE_NAME", "practice-backend-test");
        builder.UseSetting("Practice:Telemetry:PrometheusPort", metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>A host with one setting given a value.</summary>
public sealed class SettingApp(string setting, string value) : PracticeAppFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting(setting, value);
    }
}
