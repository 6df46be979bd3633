using System;
using System.Buffers;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// One contender as <see cref="FootprintMode"/> and <see cref="TimelineMode"/> drive it: rent and return through
/// delegates (speed does not matter there), plus the pool's own reserved-bytes figure where it has one.
/// </summary>
/// <remarks>Not thread-safe; used by one thread. Disposing it releases the pool it built, if any.</remarks>
public sealed class FootprintContender : IDisposable
{
    private readonly Func<int, object> _rent;
    private readonly Action<object> _return;
    private readonly Func<PoolStatistics>? _statistics;
    private readonly IDisposable? _resources;

    private FootprintContender(Contender contender, Func<int, object> rent, Action<object> @return, Func<PoolStatistics>? statistics, IDisposable? resources, string? description = null)
    {
        Contender = contender;
        Description = description ?? contender.ToString();
        _rent = rent;
        _return = @return;
        _statistics = statistics;
        _resources = resources;
    }

    /// <summary>Which contender this is.</summary>
    public Contender Contender { get; }

    /// <summary>What the contender is, for the report (for Kestrel: the pool type the factory made and its block size).</summary>
    public string Description { get; }

    /// <summary>Whether the pool reports the bytes it holds (only the Orthotope pools do).</summary>
    public bool HasReservedBytes => _statistics is not null;

    /// <summary>Builds the contender; the Orthotope pools are fresh instances with default options.</summary>
    /// <param name="contender">Which pool.</param>
    /// <param name="startKestrel">For <see cref="Contender.Kestrel"/>: start the server, so that its heartbeat
    /// drives the pool's idle eviction (see <see cref="KestrelPool.Create"/>).</param>
    public static FootprintContender Create(Contender contender, bool startKestrel = false)
    {
        switch (contender)
        {
            case Contender.ArrayPoolShared:
                return new FootprintContender(contender, size => ArrayPool<byte>.Shared.Rent(size), buffer => ArrayPool<byte>.Shared.Return((byte[])buffer), null, null);
            case Contender.MemoryPoolShared:
                return new FootprintContender(contender, size => MemoryPool<byte>.Shared.Rent(size), buffer => ((IMemoryOwner<byte>)buffer).Dispose(), null, null);
            case Contender.Kestrel:
                // As Pipe does: Kestrel's 4096-byte blocks where they suffice, ArrayPool<byte>.Shared above.
                KestrelPool kestrel = KestrelPool.Create(startKestrel);
                MemoryPool<byte> blocks = kestrel.Pool;
                return new FootprintContender(
                    contender,
                    size => size <= blocks.MaxBufferSize ? blocks.Rent(size) : ArrayPool<byte>.Shared.Rent(size),
                    buffer =>
                    {
                        if (buffer is byte[] array)
                        {
                            ArrayPool<byte>.Shared.Return(array);
                        }
                        else
                        {
                            ((IMemoryOwner<byte>)buffer).Dispose();
                        }
                    },
                    null,
                    kestrel,
                    $"Kestrel: {blocks.GetType().FullName} from IMemoryPoolFactory<byte>, MaxBufferSize {blocks.MaxBufferSize}; ArrayPool<byte>.Shared above");
            case Contender.OrthotopeMemory:
                var memoryPool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "footprint" });
                return new FootprintContender(contender, size => memoryPool.Rent(size), buffer => ((IMemoryOwner<byte>)buffer).Dispose(), memoryPool.GetStatistics, memoryPool);
            case Contender.OrthotopeArray:
                var arrayPool = new OrthotopeArrayPool(new OrthotopePoolOptions { Name = "footprint-arrays" });
                return new FootprintContender(contender, size => arrayPool.Rent(size), buffer => arrayPool.Return((byte[])buffer), arrayPool.GetStatistics, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(contender), contender, "unknown contender");
        }
    }

    /// <summary>Rents a buffer of at least <paramref name="size"/> bytes and writes its first byte.</summary>
    public object Rent(int size)
    {
        object buffer = _rent(size);
        Bytes(buffer)[0] = 1;
        return buffer;
    }

    /// <summary>The bytes of a buffer from <see cref="Rent"/>, whichever API it came from.</summary>
    public static Span<byte> Bytes(object buffer) =>
        buffer is byte[] array ? array : ((IMemoryOwner<byte>)buffer).Memory.Span;

    /// <summary>Gives a buffer from <see cref="Rent"/> back.</summary>
    public void Return(object buffer) => _return(buffer);

    /// <summary>The pool's reserved bytes, or -1 where the pool does not report them.</summary>
    public long ReservedBytes() => _statistics?.Invoke().ReservedBytes ?? -1;

    /// <summary>The pool's statistics snapshot, or null where the pool has none (only the Orthotope pools do).</summary>
    public PoolStatistics? Statistics() => _statistics?.Invoke();

    /// <inheritdoc/>
    public void Dispose() => _resources?.Dispose();
}
