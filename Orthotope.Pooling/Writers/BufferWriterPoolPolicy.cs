using Microsoft.Extensions.ObjectPool;

namespace Orthotope.Pooling.Writers;

/// <summary>
/// The <see cref="IPooledObjectPolicy{T}"/> behind <see cref="OrthotopeBufferWriters.CreateBufferWriterPool"/>: makes
/// writers on one memory pool and resets them as they come back.
/// </summary>
/// <remarks>
/// Thread-safe (stateless but for the pool, which is thread-safe). Resetting in <see cref="Return"/> happens before
/// the object pool decides whether it has room, so a writer the object pool drops has returned its blocks already;
/// a writer that cannot reset (it was disposed) is dropped.
/// </remarks>
internal sealed class BufferWriterPoolPolicy : PooledObjectPolicy<OrthotopeBufferWriter>
{
    private readonly OrthotopeMemoryPool _pool;

    public BufferWriterPoolPolicy(OrthotopeMemoryPool pool)
    {
        _pool = pool;
    }

    public override OrthotopeBufferWriter Create() => new(_pool);

    public override bool Return(OrthotopeBufferWriter obj) => obj.TryReset();
}
