namespace Actors.Bench;

/// <summary>One figure over the rounds of a run: these machines are noisy, so a median with its spread.</summary>
internal sealed record Stat(double Median, double Min, double Max, IReadOnlyList<double> Runs)
{
    public static Stat Of(IReadOnlyList<double> runs)
    {
        var valid = runs.Where(double.IsFinite).Order().ToArray();
        if (valid.Length == 0)
        {
            return new Stat(double.NaN, double.NaN, double.NaN, runs);
        }

        var middle = valid.Length / 2;
        var median = valid.Length % 2 == 1 ? valid[middle] : (valid[middle - 1] + valid[middle]) / 2;
        return new Stat(median, valid[0], valid[^1], runs);
    }
}

/// <summary>Per-round values of named metrics of one phase.</summary>
internal sealed class PhaseSamples
{
    private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);

    public void Add(string metric, double value)
    {
        if (!_values.TryGetValue(metric, out var list))
        {
            list = [];
            _values[metric] = list;
        }

        list.Add(value);
    }

    public Stat this[string metric] => Stat.Of(_values.TryGetValue(metric, out var list) ? list : []);

    public bool Has(string metric) => _values.ContainsKey(metric);

    public IReadOnlyDictionary<string, Stat> Summaries() => _values.ToDictionary(p => p.Key, p => Stat.Of(p.Value), StringComparer.Ordinal);
}

/// <summary>Percentiles of one round's samples (latencies, lags).</summary>
internal static class Percentiles
{
    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..100) of the values; NaN when there are none.</summary>
    public static double Of(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
