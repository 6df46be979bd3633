using System;
using BenchmarkDotNet.Attributes;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>Adds a <see cref="ThroughputColumn"/> to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ThroughputColumnAttribute : ColumnConfigBaseAttribute
{
    /// <summary>Adds the column for operations of <paramref name="bytesPerOperation"/> bytes.</summary>
    public ThroughputColumnAttribute(int bytesPerOperation)
        : base(new ThroughputColumn(bytesPerOperation))
    {
        BytesPerOperation = bytesPerOperation;
    }

    /// <summary>The bytes one operation moves.</summary>
    public int BytesPerOperation { get; }
}
