using System.Diagnostics;
using System.Globalization;
using Hangfire.Common;
using Hangfire.Server;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using Orleans.Runtime;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// Traces and metrics for operators (ADR 0014). Both go over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set (the exporter reads the other standard <c>OTEL_*</c> settings itself); metrics are also served to a
/// Prometheus scraper on <c>Practice:Telemetry:PrometheusPort</c> when that is set. With neither, nothing at all
/// is registered: no listener, no processor, no job filter, no grain call filter.
/// </summary>
public static class Telemetry
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceNameSetting = "OTEL_SERVICE_NAME";
    public const string PrometheusPortSetting = "Practice:Telemetry:PrometheusPort";
    public const string DefaultServiceName = "practice-backend";

    /// <summary>Our own spans: one per Hangfire job run (<see cref="JobSpans"/>).</summary>
    public const string JobsSourceName = "PracticeBackend.Jobs";

    public static WebApplicationBuilder AddPracticeTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = OtlpEndpoint(configuration[OtlpEndpointSetting]);
        var prometheusPort = PrometheusPort(configuration[PrometheusPortSetting]);
        if (otlp is null && prometheusPort is null)
        {
            return builder;
        }

        var serviceName = configuration[ServiceNameSetting] is { Length: > 0 } named ? named : DefaultServiceName;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName, autoGenerateServiceInstanceId: false)
                .AddDetector(sp => new SiloResource(sp.GetRequiredService<ILocalSiloDetails>())))
            .WithMetrics(metrics =>
            {
                // Our counters (intake, outbox), Orleans' own, the runtime's (GC, thread pool: built into .NET 9+),
                // ASP.NET Core's (by route template) and Npgsql's (by pool). None has a label that names a person.
                metrics.AddMeter("PracticeBackend.*", "Microsoft.Orleans", "System.Runtime")
                    .AddAspNetCoreInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (otlp is not null)
                {
                    metrics.AddOtlpExporter();
                }

                if (prometheusPort is { } port)
                {
                    // A listener of its own, not a Kestrel endpoint: binding one in code would replace the
                    // public ASPNETCORE_URLS, and a Host-header match on the public port is not a boundary.
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        o.Port = port;
                        o.ScrapeEndpointPath = "/metrics";

                        // On every address (a scraper comes from elsewhere), whatever Host header it sends: the
                        // options take a host name only, and HttpListener matches its prefixes by that header.
                        o.ConfigureHttpListener = (_, listener) =>
                        {
                            listener.Prefixes.Clear();
                            listener.Prefixes.Add($"http://+:{port.ToString(CultureInfo.InvariantCulture)}/metrics/");
                        };
                    });
                }
            });

        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.RecordException = false;
                    o.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal);
                })
                .AddNpgsql()
                // Calls to our grains; not Orleans' runtime source, whose spans are its own system calls (the
                // dashboard's statistics polling, every second, the most of them).
                .AddSource(ActivitySources.ApplicationGrainActivitySourceName, JobsSourceName)
                .AddProcessor(new PhiFreeSpans())
                .AddOtlpExporter());

            // Grain calls carry the trace across the silo (the same UseOrleans builder: Orleans applies each call's delegate to its one silo).
            builder.UseOrleans(silo => silo.AddActivityPropagation());
            builder.Services.AddHostedService<ExceptionMessagesWithheld>();

            // Hangfire's server takes its filters from this provider: its usual ones, and our span per job.
            builder.Services.AddSingleton<IJobFilterProvider>(new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { new JobSpans() }));
        }

        return builder;
    }

    private static Uri? OtlpEndpoint(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"
            ? endpoint
            : throw new InvalidOperationException($"{OtlpEndpointSetting} must be an http or https address of an OTLP receiver, e.g. http://collector:4317 (gRPC; 4318 with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf); leave it unset to export nothing.");
    }

    private static int? PrometheusPort(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new InvalidOperationException($"{PrometheusPortSetting} must be a TCP port (1-65535) for the Prometheus scrape, apart from the public one; leave it unset for none.");
    }

    /// <summary>Which process this is: the silo's name (unique per process) and cluster, never anything of a person.</summary>
    private sealed class SiloResource(ILocalSiloDetails silo) : IResourceDetector
    {
        public Resource Detect() => new(new Dictionary<string, object>
        {
            ["service.instance.id"] = silo.Name,
            ["orleans.cluster.id"] = silo.ClusterId,
        });
    }

}

/// <summary>
/// What a span may carry when it leaves (ADR 0014). Applied to every span before the exporter sees it:
/// only tags named here survive; an HTTP server span is named and pathed by its route template
/// (<c>GET /email/{token}</c>), never the path a person's link filled in, and has no query; no status
/// text (Npgsql puts an exception's message there). Exception events keep their type and stack frames,
/// not their messages (<see cref="ExceptionWithholder"/>); a span with any other exception message is dropped.
/// </summary>
internal sealed class PhiFreeSpans : BaseProcessor<Activity>
{
    public const string Withheld = "(withheld: an exception message may carry personal data)";

    private static readonly HashSet<string> KeptTags = new(StringComparer.Ordinal)
    {
        // HTTP server (ASP.NET Core): url.path is rewritten below to the route template.
        "http.request.method", "http.request.method_original", "http.route", "http.response.status_code",
        "url.scheme", "url.path", "network.protocol.version", "server.address", "server.port", "error.type",

        // PostgreSQL (Npgsql): the SQL text is parameterised; parameter values are never recorded.
        "db.system.name", "db.namespace", "db.query.text", "db.operation.name", "db.collection.name", "db.stored_procedure.name",
        "db.response.status_code", "db.npgsql.prepared", "db.npgsql.data_source", "db.npgsql.connection_id", "db.npgsql.rows",

        // Grain calls (Orleans): interface, method and grain ids (ours are Guids); the exception's type only.
        "rpc.system", "rpc.service", "rpc.method", "rpc.orleans.target_id", "rpc.orleans.source_id", "exception.type",

        // Hangfire jobs (ours).
        JobSpans.JobIdTag,
    };

    public override void OnEnd(Activity data)
    {
        if (data.Kind == ActivityKind.Server && data.GetTagItem("http.request.method") is string method)
        {
            // Razor Pages' templates have no leading slash ("email/{token}"); the minimal APIs' have one.
            var route = data.GetTagItem("http.route") is string template ? "/" + template.TrimStart('/') : null;
            data.SetTag("url.path", route);
            data.DisplayName = route is null ? method : $"{method} {route}";
        }

        // A statement outside any request, job or grain call is background polling (Hangfire's queue and
        // heartbeats, every second or so per worker; the dispatcher's timed sweep): not worth a trace each.
        if (data.Source.Name == "Npgsql" && data.ParentSpanId == default && data.Parent is null)
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }

        foreach (var key in data.TagObjects.Select(t => t.Key).Where(k => !KeptTags.Contains(k)).ToList())
        {
            data.SetTag(key, null);
        }

        if (data.StatusDescription is not null)
        {
            data.SetStatus(data.Status);
        }

        data.TraceStateString = null; // a caller's tracestate header is the caller's text

        // Events cannot be taken off a span: one with an exception message that was not withheld is not recorded,
        // and the exporter's processor, which comes after this one, skips it.
        if (data.Events.Any(e => e.Tags.Any(t => t.Key == "exception.message" && !Withheld.Equals(t.Value))))
        {
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}

/// <summary>
/// Fills an exception event's message and stack trace before the runtime would (<see cref="Activity.AddException"/>,
/// which Npgsql calls on a failed command): the message may carry what a person typed (a database error's
/// detail, say); the stack frames of the exception itself name only code. An ActivityListener is process-wide:
/// this one is added while the host runs.
/// </summary>
internal sealed class ExceptionMessagesWithheld : IHostedService, IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore" or Telemetry.JobsSourceName
            || source.Name.StartsWith("Microsoft.Orleans.", StringComparison.Ordinal),
        ExceptionRecorder = (Activity _, Exception exception, ref TagList tags) =>
        {
            tags.Add("exception.message", PhiFreeSpans.Withheld);
            tags.Add("exception.stacktrace", exception.StackTrace ?? "");
        },
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// A span around each Hangfire job run, named by the job's class and method only (<c>SendOutboxBatchJob.RunAsync</c>):
/// job arguments are ids by house rule, and still never reach the span. Grain calls and SQL inside the job are its children.
/// </summary>
internal sealed class JobSpans : IServerFilter
{
    public const string JobIdTag = "hangfire.job.id";

    private const string SpanItem = "practice.job-span";

    private static readonly ActivitySource Source = new(Telemetry.JobsSourceName);

    public void OnPerforming(PerformingContext context)
    {
        var job = context.BackgroundJob.Job;
        var span = Source.StartActivity($"{job.Type.Name}.{job.Method.Name}", ActivityKind.Consumer);
        if (span is null)
        {
            return;
        }

        span.SetTag(JobIdTag, context.BackgroundJob.Id);
        context.Items[SpanItem] = span;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (!context.Items.TryGetValue(SpanItem, out var item) || item is not Activity span)
        {
            return;
        }

        if (context.Exception is { } failure && !context.ExceptionHandled)
        {
            span.SetTag("error.type", (failure.InnerException ?? failure).GetType().FullName);
            span.SetStatus(ActivityStatusCode.Error);
        }

        span.Dispose();
    }
}
