using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// A sweep that fails half-way because Hangfire's storage went away marks nothing it did not hand over: once
/// the storage is back, the very next sweep (within the minute, not ten minutes later) sends every due
/// message, each exactly once.
/// </summary>
public sealed class FailedEnqueueTests(FlakyJobStorageApp app) : IClassFixture<FlakyJobStorageApp>
{
    [Fact]
    public async Task TheNextSweep_DeliversEveryDueMessageOnce_AfterASweepFailedBecauseHangfiresStorageWasDown()
    {
        app.MoveToNextMondayAfternoonUtc();
        var emails = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            emails.Add(await app.SubmitAsync("when-ready"));
        }

        app.JobStorage.GoesDownAfter(2);
        await Assert.ThrowsAsync<BackgroundJobClientException>(app.SweepOnceAsync);
        app.JobStorage.ComesBack();
        await app.DeliverDueAsync();

        Assert.All(emails, email => Assert.Single(app.MailTo(email)));
        Assert.Equal(5, app.Smtp.ReceivedEmailCount);
    }
}

/// <summary>The app whose Hangfire client fails like a client whose storage is down, while a test says so.</summary>
public sealed class FlakyJobStorageApp : FollowUpApp
{
    public JobStorageOutage JobStorage { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);

        // A job per message, so that the storage can fail half-way through one sweep's enqueues.
        builder.UseSetting("Practice:Jobs:SendBatchSize", "1");
        builder.ConfigureTestServices(services =>
        {
            var real = services.Last(d => d.ServiceType == typeof(IBackgroundJobClient));
            services.Remove(real);
            services.AddSingleton<IBackgroundJobClient>(sp => new OutageProneJobClient(
                (IBackgroundJobClient)(real.ImplementationInstance
                    ?? real.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, real.ImplementationType!)),
                JobStorage));
        });
    }
}

/// <summary>"Hangfire's storage is down": after a given number of successful creates, every create fails until it comes back.</summary>
public sealed class JobStorageOutage
{
    private int _createsLeft = int.MaxValue;

    public void GoesDownAfter(int creates) => Interlocked.Exchange(ref _createsLeft, creates);

    public void ComesBack() => Interlocked.Exchange(ref _createsLeft, int.MaxValue);

    public bool IsDownForTheNextCreate() => Interlocked.Decrement(ref _createsLeft) < 0;
}

internal sealed class OutageProneJobClient(IBackgroundJobClient real, JobStorageOutage outage) : IBackgroundJobClient
{
    public string Create(Job job, IState state) =>
        outage.IsDownForTheNextCreate()
            ? throw new BackgroundJobClientException("Background job creation failed (test: Hangfire's storage is down).", new TimeoutException("storage unreachable"))
            : real.Create(job, state);

    public bool ChangeState(string jobId, IState state, string expectedState) => real.ChangeState(jobId, state, expectedState);
}
