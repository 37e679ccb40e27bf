using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using PracticeBackend.Testing;

namespace PracticeBackend.Api.Tests;

/// <summary>
/// An OTLP/HTTP receiver on a loopback port, as a collector would listen (protocol http/protobuf): it keeps
/// the raw body of every POST to /v1/traces and /v1/metrics and answers 200 with an empty export response.
/// Protobuf writes strings as their UTF-8 bytes, so a byte search of the bodies finds every name and value sent.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        var port = FreePorts.Next();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"{Endpoint}");
        _listener.Start();
        _loop = Task.Run(ReceiveAsync);
    }

    /// <summary>The base address, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter adds /v1/traces, /v1/metrics).</summary>
    public Uri Endpoint { get; }

    /// <summary>Every body posted to this path, decompressed, end to end.</summary>
    public byte[] Bodies(string path) => [.. _received.Where(r => r.Path == path).SelectMany(r => r.Body)];

    /// <summary>Every body received, as Latin-1 text: each byte one character, so that any UTF-8 string sent is found in it.</summary>
    public string Everything => Encoding.Latin1.GetString([.. _received.SelectMany(r => r.Body)]);

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception stopped) when (stopped is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            var input = context.Request.Headers["Content-Encoding"] == "gzip"
                ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
                : context.Request.InputStream;
            await input.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));

            var known = context.Request.HttpMethod == "POST" && context.Request.Url.AbsolutePath is "/v1/traces" or "/v1/metrics";
            context.Response.StatusCode = known ? 200 : 404;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }
}
