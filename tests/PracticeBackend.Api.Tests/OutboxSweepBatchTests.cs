using Microsoft.AspNetCore.Hosting;

namespace PracticeBackend.Api.Tests;

/// <summary>A sweep hands every due message to Hangfire, however small its batches (Practice:Jobs:SweepBatchSize).</summary>
public sealed class OutboxSweepBatchTests(SmallSweepBatchApp app) : IClassFixture<SmallSweepBatchApp>
{
    [Fact]
    public async Task OneSweep_DeliversEveryDueMessageExactlyOnce_WhenThereAreMoreThanOneBatch()
    {
        app.MoveToNextMondayAfternoonUtc();
        var emails = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            emails.Add(await app.SubmitAsync("when-ready"));
        }

        await app.SweepOnceAsync();
        await app.WaitUntilSendJobsAreDoneAsync();

        Assert.All(emails, email => Assert.Single(app.MailTo(email)));
        Assert.Equal(10, app.Smtp.ReceivedEmailCount);
    }
}

public sealed class SmallSweepBatchApp : FollowUpApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Practice:Jobs:SweepBatchSize", "3");
    }
}
