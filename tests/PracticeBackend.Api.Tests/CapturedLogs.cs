using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PracticeBackend.Api.Tests;

/// <summary>Keeps every formatted log line, its structured values and any exception text, for PHI checks.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string All => string.Join('\n', _lines);

    /// <summary>How many lines so far: a mark for <see cref="Since"/>.</summary>
    public int Count => _lines.Count;

    /// <summary>The lines written after <paramref name="mark"/> (a <see cref="Count"/> taken earlier), each starting with its level.</summary>
    public IReadOnlyList<string> Since(int mark) => [.. _lines.Skip(mark)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
