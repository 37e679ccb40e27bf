namespace PracticeBackend.Api.Hosting;

/// <summary>
/// Work that must finish before any hosted service starts (the silo, Hangfire): the host runs every
/// StartingAsync, in registration order, before the first StartAsync.
/// </summary>
internal abstract class StartingPhaseTask : IHostedLifecycleService
{
    public abstract Task StartingAsync(CancellationToken cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
