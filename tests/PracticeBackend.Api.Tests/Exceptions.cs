namespace PracticeBackend.Api.Tests;

internal static class Exceptions
{
    /// <summary>Starts a host that must not start, disposes it, and returns every exception of the failure, outermost first.</summary>
    public static async Task<List<Exception>> StartFailureAsync(PracticeAppFactory app)
    {
        try
        {
            var failure = await Record.ExceptionAsync(app.InitializeAsync);
            Assert.NotNull(failure);
            return [.. Chain(failure)];
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>An exception and every one inside it (inner and aggregated), for finding a start-up refusal's message.</summary>
    public static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }
}
