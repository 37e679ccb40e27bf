using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using PracticeBackend.Api.Email;
using Microsoft.Extensions.Options;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Grains.Data;

namespace PracticeBackend.Api.Hosting;

/// <summary>
/// Hangfire on our PostgreSQL (schema <c>hangfire</c>), with our own JobStorage and JobActivator
/// instances rather than Hangfire's statics, so two hosts in one process never cross (STACK P4).
/// </summary>
internal static class BackgroundJobs
{
    public static IServiceCollection AddBackgroundJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<JobStorage>(sp =>
        {
            var connectionString = PracticeDatabase.Tuned(sp.GetRequiredService<IConfiguration>().GetConnectionString("Practice")!);
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = TimeSpan.FromMinutes(5),
                // Workers poll each second. Hangfire.PostgreSql's long polling (LISTEN/NOTIFY) wakes them sooner
                // but cost a third of the delivery rate here (docs/benchmarks.md, 2026-12-02).
                QueuePollInterval = TimeSpan.FromSeconds(1),
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, hangfire) => hangfire
            .UseStorage(sp.GetRequiredService<JobStorage>())
            .UseActivator(sp.GetRequiredService<JobActivator>())

            // Hangfire keeps its log provider in a static; a host may bring its own (tests do: several hosts
            // share one process, and one host's disposed logger must not reach another's jobs).
            .UseLogProvider(sp.GetService<Hangfire.Logging.ILogProvider>() ?? new AspNetCoreLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddTransient<RetentionPurgeJob>();
        services.AddTransient<OutboxSender>();
        services.AddSingleton<OutboxMetrics>();
        services.AddTransient<SendOutboxMessageJob>();
        services.AddTransient<SendOutboxBatchJob>();
        services.AddTransient<OutboxSweep>();
        services.AddTransient<StaffWaitingNoteJob>();
        services.AddTransient<BookingSteps>();
        services.AddTransient<BookingSweep>();
        services.AddTransient<OfferSteps>();
        services.AddTransient<OfferSweep>();
        services.AddSingleton<OutboxSignal>();

        if (configuration.GetValue($"{PracticeOptions.Section}:Jobs:RunServer", true))
        {
            // A graceful stop waits for a send in flight to finish and record what the server said (never a
            // delivered message left "sending", then "uncertain"): Hangfire waits out the send deadline, and the
            // host waits for Hangfire.
            var sendDeadline = configuration.GetSection(EmailOptions.Section).Get<EmailOptions>()?.Smtp.SendDeadline ?? new SmtpSettings().SendDeadline;
            var jobsShutdown = sendDeadline + TimeSpan.FromSeconds(10);
            services.AddHangfireServer((_, server) =>
            {
                server.WorkerCount = Math.Max(4, Environment.ProcessorCount * 2);
                server.ShutdownTimeout = jobsShutdown;
            });
            services.Configure<HostOptions>(host => host.ShutdownTimeout = jobsShutdown + TimeSpan.FromSeconds(10));
            services.AddHostedService<RecurringJobs>();
            services.AddHostedService<OutboxDispatcher>();
        }

        return services;
    }
}

/// <summary>Registers recurring jobs under stable ids once the host has started.</summary>
internal sealed class RecurringJobs(IServiceProvider services) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var manager = new RecurringJobManager(services.GetRequiredService<JobStorage>());
        manager.AddOrUpdate<RetentionPurgeJob>(RetentionPurgeJob.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Daily(3));
        manager.AddOrUpdate<OutboxSweep>(OutboxSweep.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<BookingSweep>(BookingSweep.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<OfferSweep>(OfferSweep.RecurringJobId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        var practice = services.GetRequiredService<IOptions<PracticeOptions>>().Value;
        if (practice.Staff.DailyWaitingNote)
        {
            var at = practice.Staff.DailyWaitingNoteAt;
            manager.AddOrUpdate<StaffWaitingNoteJob>(StaffWaitingNoteJob.RecurringJobId, job => job.RunAsync(CancellationToken.None),
                Cron.Daily(at.Hour, at.Minute), new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(practice.TimeZone) });
        }
        else
        {
            manager.RemoveIfExists(StaffWaitingNoteJob.RecurringJobId);
        }
        return Task.CompletedTask;
    }
}
