using System.Diagnostics.Metrics;
using System.Net;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

[Collection(Api.Name)]
public sealed class HoneypotTests(ApiFixture app)
{
    [Fact]
    public async Task Submit_AnswersLikeASuccessStoresNothingAndCounts_WhenTheHoneypotIsFilled()
    {
        using var client = app.CreateClient();
        using var counter = new HoneypotCounter();
        var form = IntakeForms.Valid();
        form["website"] = "http://spam.example";
        var real = await client.SendAsync(IntakeForms.Post(IntakeForms.Valid()));
        var before = await CountsAsync();

        var response = await client.SendAsync(IntakeForms.Post(form));

        Assert.Equal(real.StatusCode, response.StatusCode);
        Assert.Equal(real.Content.Headers.ContentType, response.Content.Headers.ContentType);
        var body = await response.JsonAsync();
        Assert.Equal("submitted", body.GetProperty("status").GetString());
        Assert.Equal("gentle", body.GetProperty("pace").GetString());
        Assert.StartsWith("/api/intake/", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
        Assert.Equal(1, counter.Total);
    }

    [Fact]
    public async Task Submit_AnswersLikeASuccess_WhenABotFillsTheHoneypotAndGarbage()
    {
        using var client = app.CreateClient();
        var form = IntakeForms.Valid();
        form["website"] = "x";
        form["email"] = "not-an-email";
        var before = await CountsAsync();

        var response = await client.SendAsync(IntakeForms.Post(form));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(before, await CountsAsync());
    }

    private async Task<(long, long)> CountsAsync() => (
        await RawRows.CountAsync(app.ConnectionString, "clients"),
        await RawRows.CountAsync(app.ConnectionString, "intake_requests"));

    /// <summary>Listens to the app's honeypot counter (the same instrument operators scrape).</summary>
    private sealed class HoneypotCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public HoneypotCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "practice.intake.honeypot_filled")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
