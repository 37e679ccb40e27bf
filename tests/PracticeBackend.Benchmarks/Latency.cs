namespace PracticeBackend.Benchmarks;

/// <summary>Nearest-rank percentiles of a set of latencies, in milliseconds.</summary>
public sealed record Latency(int Count, double P50, double P90, double P99, double Max)
{
    public static Latency Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Latency(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Latency(sorted.Length, Rank(0.50), Rank(0.90), Rank(0.99), sorted[^1]);
    }

    public string Describe() => $"p50 {P50:0.00} ms, p99 {P99:0.00} ms";
}
