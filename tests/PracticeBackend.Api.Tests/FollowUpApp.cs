using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using netDumbster.smtp;
using PracticeBackend.Api.Email;
using PracticeBackend.Api.Jobs;
using PracticeBackend.Domain.Messages;
using PracticeBackend.Grains;
using PracticeBackend.Grains.Data;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// The app with a clock the tests turn, a real SMTP server on a socket (its port switchable to simulate
/// outages) and its own Hangfire server. Hangfire has no clock of its own to turn, so delivering "now"
/// means what production does each minute: run the real <see cref="OutboxSweep"/> at the turned clock,
/// and let Hangfire run the real send jobs it enqueued. Hosts that need other settings derive from it.
/// </summary>
public partial class FollowUpApp : PracticeAppFactory
{
    public const string AdminEmail = "admin@followups.test";
    public const string AdminPassword = "a long follow-up passphrase";

    public FakeClock Clock { get; } = new(new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero));

    public SimpleSmtpServer Smtp { get; } = SimpleSmtpServer.Start(FreePorts.Next());

    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        WithoutRateLimits(builder);
        WithFirstAdmin(builder, AdminEmail, AdminPassword);
        WithSmtp(builder, Smtp.Configuration.Port);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(new PracticeClock(Clock));
            if (!SweepsOnlyWhenAsked)
            {
                return;
            }

            // Time moves only when a test moves it, so sweeps run only when a test asks (DeliverDueAsync):
            // the nudged and the every-minute sweeps would otherwise race the test's own steps.
            foreach (var automatic in services.Where(d => d.ImplementationType == typeof(OutboxDispatcher) || d.ImplementationType == typeof(Hosting.RecurringJobs)).ToList())
            {
                services.Remove(automatic);
            }
        });
    }

    /// <summary>Points the app's SMTP client elsewhere (a closed port = the server is down).</summary>
    public void SmtpPort(int port) => Services.GetRequiredService<IOptions<EmailOptions>>().Value.Smtp.Port = port;

    public void SmtpBack() => SmtpPort(Smtp.Configuration.Port);

    /// <summary>Moves the clock forward to the next Monday 15:00 UTC (09:00 in Chicago in winter).</summary>
    public void MoveToNextMondayAfternoonUtc()
    {
        var now = Clock.GetUtcNow();
        var days = ((int)DayOfWeek.Monday - (int)now.DayOfWeek + 7) % 7;
        var target = new DateTimeOffset(now.Date.AddDays(days == 0 ? 7 : days), TimeSpan.Zero).AddHours(15);
        Clock.Set(target);
    }

    protected override bool RunsJobServer => true;

    /// <summary>False keeps production's nudged and every-30-seconds sweeps (at the turned clock's time).</summary>
    protected virtual bool SweepsOnlyWhenAsked => true;

    /// <summary>
    /// Runs the outbox sweep as the recurring job would at the clock's time, then waits until Hangfire has run
    /// every send job it enqueued; repeats while sends planned more messages that are due at once.
    /// </summary>
    public async Task DeliverDueAsync()
    {
        for (var round = 0; round < 10; round++)
        {
            await using (var scope = Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<OutboxSweep>().RunAsync(CancellationToken.None);
            }

            await WaitUntilSendJobsAreDoneAsync();
            if (!await AnyAsync("status = 'Planned' AND due_at <= @now"))
            {
                return;
            }
        }
    }

    /// <summary>One run of the real outbox sweep at the clock's time, as the every-minute job runs it (no waiting for the sends).</summary>
    public async Task SweepOnceAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OutboxSweep>().RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// Until no row is being sent, none that was handed to Hangfire still waits for its job, and Hangfire runs
    /// no job (a send job plans what follows after it has recorded its send).
    /// </summary>
    public async Task WaitUntilSendJobsAreDoneAsync()
    {
        var hangfire = Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (hangfire.ProcessingCount() > 0 || hangfire.EnqueuedCount("default") > 0
            || await AnyAsync("status = 'Sending' OR (status = 'Planned' AND due_at <= @now AND job_enqueued_at IS NOT NULL)"))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "Hangfire did not run the enqueued send jobs within a minute");
            await Task.Delay(25);
        }
    }

    private async Task<bool> AnyAsync(string condition)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE {condition})", connection);
        command.Parameters.AddWithValue("now", Clock.GetUtcNow().UtcDateTime);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Turns the clock forward in steps, delivering whatever falls due at each.</summary>
    public async Task AdvanceAsync(TimeSpan total, TimeSpan step)
    {
        var end = Clock.GetUtcNow() + total;
        while (Clock.GetUtcNow() < end)
        {
            Clock.Advance(step);
            await DeliverDueAsync();
        }
    }

    /// <summary>Every email that reached the SMTP server for one address, parsed as a mail client would, oldest first.</summary>
    public IReadOnlyList<MimeMessage> MailTo(string address) =>
        [.. Smtp.ReceivedEmail
            .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m.Data))))
            .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, address, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(m => m.Date)];

    /// <summary>A link from a message, pointed at this test server (the app writes Practice:PublicBaseUrl into emails).</summary>
    public Uri Link(MimeMessage message, string label)
    {
        var match = Regex.Match(message.TextBody ?? "", Regex.Escape(label) + @": (\S+)");
        Assert.True(match.Success, $"no '{label}' link in the message");
        return Here(new Uri(match.Groups[1].Value));
    }

    public Uri UnsubscribeLink(MimeMessage message)
    {
        var match = LinkInAngles().Match(message.Headers["List-Unsubscribe"] ?? "");
        Assert.True(match.Success, "no List-Unsubscribe header");
        return Here(new Uri(match.Groups[1].Value));
    }

    /// <summary>Submits the form for a new address with this pace; returns the address.</summary>
    public async Task<string> SubmitAsync(string pace)
    {
        var email = $"followup.{Guid.NewGuid():N}@example.org";
        var form = IntakeForms.Valid(email);
        form["pace"] = pace;
        var response = await PostIntakeAsync(form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return email;
    }

    public async Task<HttpResponseMessage> PostIntakeAsync(JsonObject form, string? idempotencyKey = null)
    {
        using var client = CreateClient();
        return await client.SendAsync(IntakeForms.Post(form, idempotencyKey));
    }

    public async Task<HttpClient> SignInAsAdminAsync()
    {
        var client = CreateClient();
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password = AdminPassword });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return client;
    }

    /// <summary>A request as staff see it (GET /api/staff/intake/{id}), read by the admin.</summary>
    public async Task<JsonElement> StaffDetailAsync(Guid intakeId)
    {
        using var admin = await SignInAsAdminAsync();
        var response = await admin.GetAsync(new Uri($"/api/staff/intake/{intakeId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>The admin export of a person's record (GET /api/staff/clients/{id}/export).</summary>
    public async Task<JsonElement> ExportAsync(string email)
    {
        var clientId = (await StaffDetailAsync((await IntakesAsync([email]))[0])).GetProperty("clientId").GetGuid();
        using var admin = await SignInAsAdminAsync();
        var response = await admin.GetAsync(new Uri($"/api/staff/clients/{clientId}/export", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>The intake ids of the people with these emails, oldest first (found the way the app finds them: by blind index).</summary>
    public async Task<Guid[]> IntakesAsync(string[] emails)
    {
        var index = Services.GetRequiredService<Grains.Security.BlindIndex>();
        var ids = new List<Guid>();
        await using var db = await Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContextAsync();
        foreach (var email in emails)
        {
            var hash = await index.ForEmailAsync(Domain.Contacts.EmailAddress.Normalize(email), CancellationToken.None);
            var found = await db.IntakeRequests.Where(r => r.Client!.EmailBlindIndex == hash).OrderBy(r => r.SubmittedAt).Select(r => r.Id).ToListAsync();
            Assert.NotEmpty(found);
            ids.AddRange(found);
        }

        return [.. ids];
    }

    /// <summary>Planned messages of this person that are due at the clock's time.</summary>
    public async Task<List<Guid>> DueIdsAsync(string email)
    {
        var intakes = await IntakesAsync([email]);
        var now = Clock.GetUtcNow().UtcDateTime;
        await using var db = await Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContextAsync();
        return await db.OutboxMessages
            .Where(m => intakes.Contains(m.IntakeRequestId!.Value) && m.Status == MessageStatus.Planned && m.DueAt <= now)
            .Select(m => m.Id).ToListAsync();
    }

    public async Task<string> StatusAsync(Guid messageId)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContextAsync();
        return (await db.OutboxMessages.SingleAsync(m => m.Id == messageId)).Status.ToString();
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters) =>
        Convert.ToInt64(await RawRows.ScalarAsync(ConnectionString, sql, parameters), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The kinds of this person's messages that were sent, in the order they went.</summary>
    public async Task<string[]> KindsSentAsync(string email)
    {
        var intakes = await IntakesAsync([email]);
        await using var db = await Services.GetRequiredService<IDbContextFactory<PracticeDbContext>>().CreateDbContextAsync();
        var kinds = await db.OutboxMessages.Where(m => intakes.Contains(m.IntakeRequestId!.Value) && m.Status == MessageStatus.Sent)
            .OrderBy(m => m.SentAt).Select(m => m.Kind).ToListAsync();
        return [.. kinds.Select(k => k.ToString())];
    }

    private Uri Here(Uri link) => new(ClientOptions.BaseAddress, link.PathAndQuery);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Smtp.Dispose();
        GC.SuppressFinalize(this);
    }

    [GeneratedRegex("<([^>]+)>")]
    private static partial Regex LinkInAngles();
}

/// <summary>A clock the tests set; the app's <see cref="PracticeClock"/> reads it (Orleans and ASP.NET keep real time).</summary>
public sealed class FakeClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public void Set(DateTimeOffset at) => Interlocked.Exchange(ref _ticks, at.UtcTicks);
}

/// <summary>
/// One <see cref="FollowUpApp"/> shared by the smaller fault and rule classes: they run one after another on
/// its turned clock, each with addresses of its own, so one host serves them all.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FollowUps : ICollectionFixture<FollowUpApp>
{
    public const string Name = "follow-ups";
}
