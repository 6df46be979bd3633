using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// A column that turns the mean time per operation into MB/s (10^6 bytes per second), given how many bytes one
/// operation moves.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly int _bytesPerOperation;

    /// <summary>Creates the column for operations of <paramref name="bytesPerOperation"/> bytes.</summary>
    public ThroughputColumn(int bytesPerOperation) => _bytesPerOperation = bytesPerOperation;

    /// <inheritdoc/>
    public string Id => nameof(ThroughputColumn);

    /// <inheritdoc/>
    public string ColumnName => "MB/s";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => $"Throughput in MB/s (10^6 bytes/s), {_bytesPerOperation} bytes per operation";

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (nanoseconds is not > 0)
        {
            return "NA";
        }

        double megabytesPerSecond = _bytesPerOperation * 1000.0 / nanoseconds.Value;
        return megabytesPerSecond.ToString("F0", CultureInfo.InvariantCulture);
    }

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}
