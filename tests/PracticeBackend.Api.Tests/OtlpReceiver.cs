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

    /// <summary>
    /// Every span posted to /v1/traces, read from the protobuf by the field numbers of OTLP's trace.proto
    /// (TracesData → ResourceSpans → ScopeSpans → Span): its name, status, string attributes and events.
    /// </summary>
    public IReadOnlyList<ExportedSpan> Spans() =>
        [.. _received.Where(r => r.Path == "/v1/traces")
            .SelectMany(r => Messages(r.Body, 1))
            .SelectMany(resourceSpans => Messages(resourceSpans, 2))
            .SelectMany(scopeSpans => Messages(scopeSpans, 2))
            .Select(ReadSpan)];

    private static ExportedSpan ReadSpan(byte[] span)
    {
        var status = Messages(span, 15).FirstOrDefault() ?? [];
        return new ExportedSpan(
            Text(Messages(span, 5).FirstOrDefault()),
            (int)Fields(status).Where(f => f.Number == 3).Select(f => f.Varint).FirstOrDefault(),
            Text(Messages(status, 2).FirstOrDefault()),
            Attributes(Messages(span, 9)),
            [.. Messages(span, 11).Select(e => new ExportedEvent(Text(Messages(e, 2).FirstOrDefault()), Attributes(Messages(e, 3))))]);
    }

    /// <summary>KeyValue (key = 1, value = 2) with AnyValue.string_value (1); values of other types are left out.</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<byte[]> keyValues) =>
        keyValues
            .Select(kv => (Key: Text(Messages(kv, 1).FirstOrDefault()), Value: Messages(kv, 2).SelectMany(v => Messages(v, 1)).Select(Text).FirstOrDefault()))
            .Where(kv => kv.Value is not null)
            .GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value!, StringComparer.Ordinal);

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    private static IEnumerable<byte[]> Messages(byte[] message, int number) =>
        Fields(message).Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!);

    /// <summary>The protobuf wire format: a varint key (field number, wire type), then a varint, 8 bytes, a length and its bytes, or 4 bytes.</summary>
    private static List<(int Number, ulong Varint, byte[]? Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, ulong, byte[]?)>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    fields.Add((number, Varint(message, ref at), null));
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    fields.Add((number, 0, message[at..(at + length)]));
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {key & 7} at byte {at}: not OTLP protobuf.");
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

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

/// <summary>A span as exported: status code 0 unset, 1 ok, 2 error (OTLP's Status.StatusCode).</summary>
public sealed record ExportedSpan(string Name, int StatusCode, string StatusMessage, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<ExportedEvent> Events);

public sealed record ExportedEvent(string Name, IReadOnlyDictionary<string, string> Attributes);
