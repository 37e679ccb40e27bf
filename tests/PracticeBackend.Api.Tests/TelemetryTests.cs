using static PracticeBackend.Api.Tests.Exceptions;
using System.Net;
using System.Text;
using Hangfire.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
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

    [Fact(Timeout = 180_000)]
    public async Task ARequestThatFailsInTheDatabase_ExportsErrorSpans_ButNotTheExceptionsMessage()
    {
        await using var collector = new OtlpReceiver();
        var marker = Guid.NewGuid().ToString("N")[..12];
        HttpStatusCode answered;
        var app = new TelemetryApp(collector.Endpoint, FreePorts.Next());
        try
        {
            await app.InitializeAsync();

            // The database refuses the request's row with words of its own, as a constraint's message may quote a value.
            await using (var connection = new NpgsqlConnection(app.ConnectionString))
            {
                await connection.OpenAsync();
                await using var refuse = new NpgsqlCommand(
                    "CREATE FUNCTION refuse_intake() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for Canary" + marker + "'; END $$; " +
                    "CREATE TRIGGER refuse_intake BEFORE INSERT ON intake_requests FOR EACH ROW EXECUTE FUNCTION refuse_intake();", connection);
                await refuse.ExecuteNonQueryAsync();
            }

            answered = (await app.PostIntakeAsync(IntakeForms.Valid($"failing.{Guid.NewGuid():N}@example.org"))).StatusCode;
        }
        finally
        {
            await app.DisposeAsync();
        }

        Assert.Equal(HttpStatusCode.InternalServerError, answered);
        var spans = collector.Spans();
        var failed = spans.Where(s => s.StatusCode == 2).ToList(); // OTLP STATUS_CODE_ERROR
        Assert.Contains(failed, s => s.Name == "POST /api/intake/" && s.Attributes.GetValueOrDefault("error.type") == "500");
        Assert.Contains(failed, s => s.Name == "IClientGrain/AcceptIntake" && s.Attributes.GetValueOrDefault("exception.type") == "Microsoft.EntityFrameworkCore.DbUpdateException");
        Assert.All(failed, s => Assert.Equal("", s.StatusMessage)); // Orleans puts the exception's message there
        Assert.All(spans, s => Assert.DoesNotContain(s.Attributes.Keys, key => key is "exception.message" or "exception.stacktrace"));
        Assert.All(spans.SelectMany(s => s.Events).SelectMany(e => e.Attributes).Where(a => a.Key == "exception.message"), m => Assert.Equal(Hosting.PhiFreeSpans.Withheld, m.Value));
        Assert.DoesNotContain(marker, collector.Everything, StringComparison.Ordinal);                    // the database's words
        Assert.DoesNotContain("See the inner exception", collector.Everything, StringComparison.Ordinal); // EF Core's
        Assert.DoesNotContain("PostgresException (0x", collector.Everything, StringComparison.Ordinal); // no exception's ToString
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https address")]
    [InlineData("Practice:Telemetry:PrometheusPort", "metrics", "Practice:Telemetry:PrometheusPort must be a TCP port")]
    [InlineData("Practice:Telemetry:PrometheusPort", "70000", "Practice:Telemetry:PrometheusPort must be a TCP port")]
    public async Task Host_RefusesToStart_NamingTheSetting_WhenATelemetrySettingIsNotUsable(string setting, string value, string refusal)
    {
        var failure = await Exceptions.StartFailureAsync(new SettingApp(setting, value));

        Assert.Contains(failure, e => e is InvalidOperationException && e.Message.StartsWith(refusal, StringComparison.Ordinal));
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
