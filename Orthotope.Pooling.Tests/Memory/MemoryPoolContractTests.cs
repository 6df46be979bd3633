using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Memory;

[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class MemoryPoolContractTests
{
    private readonly string _configuration;
    private OrthotopeMemoryPool _pool = null!;

    public MemoryPoolContractTests(string configuration)
    {
        _configuration = configuration;
    }

    [SetUp]
    public void SetUp() => _pool = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));

    [TearDown]
    public void TearDown() => _pool.Dispose();

    [Test]
    public void The_default_rent_is_4096_bytes_like_MemoryPool_Shared()
    {
        using IMemoryOwner<byte> owner = _pool.Rent();
        Assert.That(owner.Memory.Length, Is.EqualTo(4096));
        Assert.That(owner.Memory.Length, Is.EqualTo(MemoryPool<byte>.Shared.Rent().Memory.Length));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(4095)]
    [TestCase(4097)]
    [TestCase(65_536)]
    [TestCase(100_000)]
    [TestCase(1 << 20)]
    [TestCase((1 << 20) + 1)]
    [TestCase(3_000_000)]
    public void A_rent_gives_at_least_the_size_asked_for_and_at_most_a_quarter_more(int size)
    {
        using IMemoryOwner<byte> owner = _pool.Rent(size);
        Assert.That(owner.Memory.Length, Is.GreaterThanOrEqualTo(size));
        Assert.That(owner.Memory.Length, Is.LessThanOrEqualTo(Math.Max(64, size + (size / 4) + 64)));
        owner.Memory.Span.Fill(0xAB);
        Assert.That(owner.Memory.Span.IndexOfAnyExcept((byte)0xAB), Is.EqualTo(-1));
    }

    [TestCase(-2)]
    [TestCase(int.MinValue)]
    public void A_rent_below_minus_one_throws_naming_the_argument(int size)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _pool.Rent(size));
        Assert.That(ex!.ParamName, Is.EqualTo("minBufferSize"));
    }

    [Test]
    public void MaxBufferSize_is_truthful_at_the_edge()
    {
        OrthotopePoolOptions options = PoolConfigurations.Create(_configuration);
        options.MaxBufferSize = 5_000_000;
        using var pool = new OrthotopeMemoryPool(options);

        Assert.That(pool.MaxBufferSize, Is.EqualTo(5_000_000));
        using (IMemoryOwner<byte> biggest = pool.Rent(pool.MaxBufferSize))
        {
            Assert.That(biggest.Memory.Length, Is.GreaterThanOrEqualTo(pool.MaxBufferSize));
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(pool.MaxBufferSize + 1));
        Assert.That(ex!.ParamName, Is.EqualTo("minBufferSize"));
        Assert.That(_pool.MaxBufferSize, Is.EqualTo(OrthotopePoolOptions.MemoryPoolMaxBufferSize));
    }

    [Test]
    public void Memory_of_a_disposed_owner_throws_ObjectDisposedException()
    {
        IMemoryOwner<byte> owner = _pool.Rent(100);
        Memory<byte> memory = owner.Memory;
        owner.Dispose();

        Assert.That(() => owner.Memory, Throws.TypeOf<ObjectDisposedException>());

        // As with MemoryPool<byte>.Shared and Kestrel's pool, a Memory<byte> taken before the dispose is plain memory
        // and is not checked in the default mode; using it is the caller's bug, which diagnostics mode reports.
        Assert.That(memory.Length, Is.GreaterThanOrEqualTo(100));
    }

    [Test]
    public void A_second_dispose_never_returns_the_block_twice()
    {
        IMemoryOwner<byte> owner = _pool.Rent(4096);
        owner.Dispose();
        owner.Dispose();

        // Had the block gone back twice, the next two rents would hand out the same owner.
        using IMemoryOwner<byte> first = _pool.Rent(4096);
        using IMemoryOwner<byte> second = _pool.Rent(4096);
        Assert.That(second, Is.Not.SameAs(first));
        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.EqualTo(2));
    }

    [TestCase(64)]
    [TestCase(100)]
    [TestCase(4096)]
    [TestCase(300_000)]
    [TestCase(5_000_000)]
    public unsafe void Pin_gives_a_64_byte_aligned_pointer_to_the_same_memory(int size)
    {
        using IMemoryOwner<byte> owner = _pool.Rent(size);
        Span<byte> span = owner.Memory.Span;
        span.Clear();
        using (MemoryHandle handle = owner.Memory.Pin())
        {
            Assert.That((long)handle.Pointer % 64, Is.Zero);
            ((byte*)handle.Pointer)[size - 1] = 42;
        }

        Assert.That(span[size - 1], Is.EqualTo(42));
        using MemoryHandle atEnd = owner.Memory.Slice(owner.Memory.Length).Pin();
        Assert.That((long)atEnd.Pointer, Is.Not.Zero);
    }

    [Test]
    public void Pin_outside_the_block_throws_naming_the_index()
    {
        IMemoryOwner<byte> owner = _pool.Rent(4096);
        var manager = (MemoryManager<byte>)owner;
        Assert.Multiple(() =>
        {
            Assert.That(() => manager.Pin(-1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("elementIndex"));
            Assert.That(() => manager.Pin(4097), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
        owner.Dispose();
    }

    [Test]
    public void TryGetArray_exposes_the_same_bytes()
    {
        using IMemoryOwner<byte> owner = _pool.Rent(1000);
        Assert.That(MemoryMarshal.TryGetArray(owner.Memory, out ArraySegment<byte> segment), Is.True);
        Assert.That(segment.Count, Is.EqualTo(owner.Memory.Length));
        segment.AsSpan().Fill(7);
        Assert.That(owner.Memory.Span.IndexOfAnyExcept((byte)7), Is.EqualTo(-1));
        Assert.That(MemoryMarshal.TryGetArray(owner.Memory[10..20], out ArraySegment<byte> slice), Is.True);
        Assert.That(slice.Offset, Is.EqualTo(segment.Offset + 10));
    }

    [Test]
    public void Blocks_rented_together_do_not_overlap()
    {
        var owners = new List<IMemoryOwner<byte>>();
        for (int i = 0; i < 500; i++)
        {
            IMemoryOwner<byte> owner = _pool.Rent(37 * (i % 300));
            Patterns.Fill(owner.Memory.Span, i);
            owners.Add(owner);
        }

        for (int i = 0; i < owners.Count; i++)
        {
            Assert.That(Patterns.Check(owners[i].Memory.Span, i), Is.True, $"block {i}");
            owners[i].Dispose();
        }

        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void Statistics_count_outstanding_blocks_and_reserved_bytes_cover_them()
    {
        IMemoryOwner<byte> a = _pool.Rent(100), b = _pool.Rent(4096), c = _pool.Rent(2_000_000);
        PoolStatistics stats = _pool.GetStatistics();
        Assert.Multiple(() =>
        {
            Assert.That(stats.OutstandingBlocks, Is.EqualTo(3));
            Assert.That(stats.LargeOutstandingBlocks, Is.EqualTo(1));
            Assert.That(stats.OutstandingBytes, Is.EqualTo(a.Memory.Length + b.Memory.Length + c.Memory.Length));
            Assert.That(stats.ReservedBytes, Is.GreaterThanOrEqualTo(stats.OutstandingBytes));
            Assert.That(stats.Rents, Is.EqualTo(3));
            Assert.That(stats.PoolName, Is.EqualTo(_configuration));
            Assert.That(stats.SizeClasses.Sum(s => s.OutstandingBlocks), Is.EqualTo(2));
        });
        a.Dispose();
        b.Dispose();
        c.Dispose();
        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
        Assert.That(_pool.GetStatistics().ToDetailedString(), Does.Contain(_configuration));
    }

    [Test]
    public void Trim_releases_slabs_whose_blocks_are_all_free()
    {
        var owners = Enumerable.Range(0, 2000).Select(_ => _pool.Rent(4096)).ToList();
        long peak = _pool.GetStatistics().ReservedBytes;
        Assert.That(peak, Is.GreaterThanOrEqualTo(2000L * 4096));
        owners.ForEach(o => o.Dispose());

        long released = _pool.Trim();
        PoolStatistics after = _pool.GetStatistics();
        Assert.That(released, Is.GreaterThan(peak * 9 / 10));
        Assert.That(after.ReservedBytes, Is.EqualTo(peak - released));
        Assert.That(after.ReservedBytes, Is.LessThanOrEqualTo(peak / 10));

        // The pool serves on after a trim.
        using IMemoryOwner<byte> owner = _pool.Rent(4096);
        Patterns.Fill(owner.Memory.Span, 1);
        Assert.That(Patterns.Check(owner.Memory.Span, 1), Is.True);
    }

    [Test]
    public void Large_blocks_are_reused_within_the_budget_and_released_by_trim()
    {
        int size = _pool.Options.LargestSizeClass + 1000;
        IMemoryOwner<byte> first = _pool.Rent(size);
        first.Dispose();
        using (IMemoryOwner<byte> second = _pool.Rent(size))
        {
            Assert.That(second, Is.SameAs(first), "the cached large block is reused");
        }

        Assert.That(_pool.GetStatistics().LargeCachedBlocks, Is.EqualTo(1));
        Assert.That(_pool.Trim(), Is.GreaterThanOrEqualTo(size));
        Assert.That(_pool.GetStatistics().LargeCachedBlocks, Is.Zero);
    }

    [Test]
    public void Large_blocks_beyond_the_budget_are_released_at_once()
    {
        OrthotopePoolOptions options = PoolConfigurations.Create(_configuration);
        options.LargeBlockCacheBytes = 0;
        using var pool = new OrthotopeMemoryPool(options);
        pool.Rent(3_000_000).Dispose();
        Assert.That(pool.GetStatistics().ReservedBytes, Is.Zero);
    }

    [Test]
    public void A_disposed_pool_refuses_rents_and_quietly_accepts_late_returns()
    {
        IMemoryOwner<byte> small = _pool.Rent(4096), large = _pool.Rent(3_000_000);
        _pool.Dispose();

        Assert.That(() => _pool.Rent(4096), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => _pool.Rent(3_000_000), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => _pool.Rent(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => { small.Dispose(); large.Dispose(); }, Throws.Nothing);
        Assert.That(() => _pool.Dispose(), Throws.Nothing, "dispose is idempotent");
        Assert.That(_pool.Trim(), Is.Zero);
    }

    [Test]
    public void A_disposed_pool_refuses_rents_on_threads_that_had_caches()
    {
        var ready = new ManualResetEventSlim();
        var disposed = new ManualResetEventSlim();
        Exception? seen = null;
        var thread = new Thread(() =>
        {
            _pool.Rent(4096).Dispose(); // leaves a block in this thread's cache
            ready.Set();
            disposed.Wait();
            try
            {
                _pool.Rent(4096);
            }
            catch (ObjectDisposedException ex)
            {
                seen = ex;
            }
        });
        thread.Start();
        ready.Wait();
        _pool.Dispose();
        disposed.Set();
        thread.Join();
        Assert.That(seen, Is.Not.Null);
    }

    [TestCase(100)]
    [TestCase(4096)]
    [TestCase(65_536)]
    [TestCase(1 << 20)]
    public void Rent_and_dispose_allocate_nothing_in_steady_state(int size)
    {
        size = Math.Min(size, _pool.Options.LargestSizeClass);
        long allocated = Allocations.SteadyStateBytes(() =>
        {
            IMemoryOwner<byte> owner = _pool.Rent(size);
            owner.Memory.Span[0] = 1;
            owner.Dispose();
        });

        Assert.That(allocated, Is.Zero);
    }
}
