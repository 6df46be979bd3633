using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Writers;

/// <summary>
/// A <see cref="PipeWriter"/> that keeps what is written in an <see cref="ArrayBufferWriter{T}"/>, counts flushes, and
/// answers each flush with the result the test sets: a completed reader or a cancelled flush, on demand.
/// </summary>
public sealed class RecordingPipeWriter : PipeWriter
{
    private readonly ArrayBufferWriter<byte> _written = new();

    public int Flushes { get; private set; }

    /// <summary>The bytes written when each flush happened.</summary>
    public System.Collections.Generic.List<int> FlushedAt { get; } = [];

    public bool CompleteReaderAfterFirstFlush { get; set; }

    public bool CancelFlushes { get; set; }

    public ReadOnlySpan<byte> WrittenSpan => _written.WrittenSpan;

    public override void Advance(int bytes) => _written.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0) => _written.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _written.GetSpan(sizeHint);

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Flushes++;
        FlushedAt.Add(_written.WrittenCount);
        return new ValueTask<FlushResult>(new FlushResult(CancelFlushes, CompleteReaderAfterFirstFlush));
    }
}
