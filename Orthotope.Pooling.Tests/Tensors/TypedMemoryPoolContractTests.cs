using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Orthotope.Pooling.Engine;
using Orthotope.Pooling.Memory;

namespace Orthotope.Pooling.Tests.Tensors;

/// <summary>The <see cref="OrthotopeMemoryPool{T}"/> contract, per element type (1, 4, 8 and 12 bytes) and per pool configuration.</summary>
[TestFixture("default", TypeArgs = [typeof(byte)])]
[TestFixture("default", TypeArgs = [typeof(float)])]
[TestFixture("default", TypeArgs = [typeof(double)])]
[TestFixture("default", TypeArgs = [typeof(Vec3)])]
[TestFixture("no-thread-cache", TypeArgs = [typeof(byte)])]
[TestFixture("no-thread-cache", TypeArgs = [typeof(float)])]
[TestFixture("no-thread-cache", TypeArgs = [typeof(double)])]
[TestFixture("no-thread-cache", TypeArgs = [typeof(Vec3)])]
[TestFixture("tiny", TypeArgs = [typeof(byte)])]
[TestFixture("tiny", TypeArgs = [typeof(float)])]
[TestFixture("tiny", TypeArgs = [typeof(double)])]
[TestFixture("tiny", TypeArgs = [typeof(Vec3)])]
public sealed unsafe class TypedMemoryPoolContractTests<T>
    where T : unmanaged
{
    private readonly string _configuration;
    private OrthotopeMemoryPool _bytes = null!;
    private OrthotopeMemoryPool<T> _pool = null!;

    public TypedMemoryPoolContractTests(string configuration)
    {
        _configuration = configuration;
    }

    [SetUp]
    public void SetUp()
    {
        _bytes = new OrthotopeMemoryPool(PoolConfigurations.Create(_configuration));
        _pool = new OrthotopeMemoryPool<T>(_bytes);
    }

    [TearDown]
    public void TearDown()
    {
        _pool.Dispose();
        _bytes.Dispose();
    }

    [Test]
    public void The_default_rent_is_4096_bytes_worth_of_elements()
    {
        using IMemoryOwner<T> owner = _pool.Rent();
        Assert.That(owner.Memory.Length, Is.EqualTo(Math.Max(1, 4096 / sizeof(T))));
        Assert.That(owner.Memory.Length * sizeof(T), Is.LessThanOrEqualTo(4096).And.GreaterThan(4096 - sizeof(T)));
    }

    [Test]
    public void Counts_at_every_class_boundary_get_exact_lengths_in_a_block_that_holds_them()
    {
        SizeClassTable classes = _bytes.Engine.Classes;
        var counts = new SortedSet<int>();
        for (int i = 0; i < classes.Count; i++)
        {
            AddAround(counts, classes.GetLength(i) / sizeof(T));
        }

        // The large path: just past the largest class, and the first large sizes.
        AddAround(counts, (classes.LargestLength / sizeof(T)) + 1);
        AddAround(counts, 3 * (classes.LargestLength / sizeof(T)) / 2);

        var failures = new List<string>();
        foreach (int count in counts)
        {
            using IMemoryOwner<T> owner = _pool.Rent(count);
            long bytes = (long)count * sizeof(T);
            PooledMemoryBlock block = ((TypedMemoryOwner<T>)owner).Block;
            using MemoryHandle pin = owner.Memory.Pin();
            if (owner.Memory.Length != count || ((nint)pin.Pointer & 63) != 0 || block.Length < bytes ||
                block.Length > Math.Max(SizeClassTable.MinBlockLength, (2 * bytes) + SizeClassTable.Alignment))
            {
                failures.Add($"{count} elements: length {owner.Memory.Length}, block {block.Length} B at {(nint)pin.Pointer:x}");
            }
        }

        Assert.That(failures, Is.Empty, $"{counts.Count} counts checked");
        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void MaxBufferSize_is_in_elements_and_truthful_at_the_edge()
    {
        OrthotopePoolOptions options = PoolConfigurations.Create(_configuration);
        options.MaxBufferSize = 5_000_000;
        using var bytes = new OrthotopeMemoryPool(options);
        using var pool = new OrthotopeMemoryPool<T>(bytes);

        Assert.That(pool.MaxBufferSize, Is.EqualTo(5_000_000 / sizeof(T)));
        Assert.That(_pool.MaxBufferSize, Is.EqualTo(OrthotopePoolOptions.MemoryPoolMaxBufferSize / sizeof(T)));
        using (IMemoryOwner<T> biggest = pool.Rent(pool.MaxBufferSize))
        {
            Assert.That(biggest.Memory.Length, Is.EqualTo(pool.MaxBufferSize));
            MemoryMarshal.AsBytes(biggest.Memory.Span)[^1] = 1;
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(pool.MaxBufferSize + 1));
        Assert.That(ex!.ParamName, Is.EqualTo("minBufferSize"));
        Assert.That(bytes.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [TestCase(-2)]
    [TestCase(int.MinValue)]
    [TestCase(int.MaxValue)]
    public void A_count_below_minus_one_or_above_MaxBufferSize_throws_naming_the_argument(int count)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _pool.Rent(count));
        Assert.That(ex!.ParamName, Is.EqualTo("minBufferSize"));
        Assert.That(ex.ActualValue, Is.EqualTo(count));
        Assert.That(_bytes.GetStatistics().Rents, Is.Zero, "nothing rented");
    }

    [Test]
    public void A_count_of_zero_gives_an_empty_buffer_that_is_rented_and_returned_like_any_other()
    {
        IMemoryOwner<T> owner = _pool.Rent(0);
        Assert.Multiple(() =>
        {
            Assert.That(owner.Memory.IsEmpty, Is.True);
            Assert.That(owner.Memory.Span.Length, Is.Zero);
            Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.EqualTo(1));
        });
        using (MemoryHandle pin = owner.Memory.Pin())
        {
            Assert.That((long)pin.Pointer & 63, Is.Zero);
        }

        owner.Dispose();
        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void A_disposed_owner_and_a_Memory_kept_past_dispose_throw_ObjectDisposedException()
    {
        IMemoryOwner<T> owner = _pool.Rent(100);
        Memory<T> memory = owner.Memory;
        var manager = (MemoryManager<T>)owner;
        owner.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(() => owner.Memory, Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => manager.GetSpan().Length, Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => memory.Span.Length, Throws.TypeOf<ObjectDisposedException>(), "a Memory kept past dispose");
            Assert.That(() => memory.Pin(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => MemoryMarshal.TryGetArray<T>(memory, out _), Throws.TypeOf<ObjectDisposedException>());
        });
    }

    [Test]
    public void A_second_dispose_never_returns_the_block_twice()
    {
        IMemoryOwner<T> owner = _pool.Rent(1000);
        owner.Dispose();
        owner.Dispose();

        using IMemoryOwner<T> first = _pool.Rent(1000);
        using IMemoryOwner<T> second = _pool.Rent(1000);
        Assert.That(((TypedMemoryOwner<T>)second).Block, Is.Not.SameAs(((TypedMemoryOwner<T>)first).Block));
        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.EqualTo(2));
    }

    [Test]
    public void A_stale_dispose_after_the_block_was_rented_again_as_bytes_does_not_return_it()
    {
        int count = 1000;
        IMemoryOwner<T> typed = _pool.Rent(count);
        PooledMemoryBlock block = ((TypedMemoryOwner<T>)typed).Block;
        typed.Dispose();

        // The block is the top of this thread's stack for its class, so a byte rent of the same length gets it back.
        using IMemoryOwner<byte> bytes = _bytes.Rent(block.Length);
        Assume.That(bytes, Is.SameAs(block), "the same block came back");
        typed.Dispose();

        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.EqualTo(1), "the byte renter still holds it");
        Assert.That(() => bytes.Memory.Span[0] = 1, Throws.Nothing);
    }

    [Test]
    public void The_typed_owner_is_reused_for_the_same_element_type_and_replaced_for_another()
    {
        IMemoryOwner<T> first = _pool.Rent(500);
        PooledMemoryBlock block = ((TypedMemoryOwner<T>)first).Block;
        first.Dispose();
        IMemoryOwner<T> again = _pool.Rent(500);
        Assume.That(((TypedMemoryOwner<T>)again).Block, Is.SameAs(block));
        Assert.That(again, Is.SameAs(first), "same block, same element type: same owner");
        Assert.That(again.Memory.Length, Is.EqualTo(500));
        again.Dispose();

        using var halves = new OrthotopeMemoryPool<Half>(_bytes);
        using (IMemoryOwner<Half> other = halves.Rent(block.Length / 2))
        {
            Assume.That(((TypedMemoryOwner<Half>)other).Block, Is.SameAs(block));
            Assert.That(block.TypedOwner, Is.SameAs(other));
        }

        using IMemoryOwner<T> back = _pool.Rent(500);
        Assume.That(((TypedMemoryOwner<T>)back).Block, Is.SameAs(block));
        Assert.That(back, Is.Not.SameAs(first), "a new owner once the block changed element type");
        Assert.That(() => first.Memory, Throws.TypeOf<ObjectDisposedException>(), "the old owner stays disposed");
    }

    [Test]
    public void Pin_points_at_the_element_asked_for_and_refuses_indexes_outside_the_rent()
    {
        using IMemoryOwner<T> owner = _pool.Rent(300);
        var manager = (MemoryManager<T>)owner;
        using MemoryHandle start = owner.Memory.Pin();
        using MemoryHandle slice = owner.Memory[7..].Pin();
        using MemoryHandle end = owner.Memory[300..].Pin();
        Assert.Multiple(() =>
        {
            Assert.That((long)slice.Pointer - (long)start.Pointer, Is.EqualTo((long)(7 * sizeof(T))));
            Assert.That((long)end.Pointer - (long)start.Pointer, Is.EqualTo((long)(300 * sizeof(T))));
            Assert.That(() => manager.Pin(-1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("elementIndex"));
            Assert.That(() => manager.Pin(301), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("elementIndex"));
        });
    }

    [Test]
    public void There_is_no_array_behind_the_memory_but_its_manager_is_found()
    {
        using IMemoryOwner<T> owner = _pool.Rent(64);
        Assert.That(MemoryMarshal.TryGetArray<T>(owner.Memory, out ArraySegment<T> segment), Is.False);
        Assert.That(segment.Array, Is.Null);
        Assert.That(MemoryMarshal.TryGetMemoryManager<T, MemoryManager<T>>(owner.Memory, out MemoryManager<T>? manager), Is.True);
        Assert.That(manager, Is.SameAs(owner));
    }

    [Test]
    public void Buffers_rented_together_do_not_overlap()
    {
        var owners = new List<IMemoryOwner<T>>();
        for (int i = 0; i < 400; i++)
        {
            IMemoryOwner<T> owner = _pool.Rent(13 * (i % 350));
            Patterns.Fill(MemoryMarshal.AsBytes(owner.Memory.Span), i);
            owners.Add(owner);
        }

        for (int i = 0; i < owners.Count; i++)
        {
            Assert.That(Patterns.Check(MemoryMarshal.AsBytes(owners[i].Memory.Span), i), Is.True, $"buffer {i}");
            owners[i].Dispose();
        }

        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void Statistics_are_the_byte_pools_and_count_whole_blocks()
    {
        int small = 1000, large = (_bytes.Options.LargestSizeClass / sizeof(T)) + 10;
        IMemoryOwner<T> a = _pool.Rent(small), b = _pool.Rent(large);
        PoolStatistics stats = _bytes.GetStatistics();
        long blockBytes = ((TypedMemoryOwner<T>)a).Block.Length + (long)((TypedMemoryOwner<T>)b).Block.Length;
        Assert.Multiple(() =>
        {
            Assert.That(_pool.BytePool, Is.SameAs(_bytes));
            Assert.That(stats.Rents, Is.EqualTo(2));
            Assert.That(stats.OutstandingBlocks, Is.EqualTo(2));
            Assert.That(stats.LargeOutstandingBlocks, Is.EqualTo(1));
            Assert.That(stats.OutstandingBytes, Is.EqualTo(blockBytes));
            Assert.That(stats.OutstandingBytes, Is.GreaterThanOrEqualTo(((long)small + large) * sizeof(T)));
            Assert.That(stats.ReservedBytes, Is.GreaterThanOrEqualTo(stats.OutstandingBytes));
        });

        a.Dispose();
        b.Dispose();
        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.Zero);
        Assert.That(_bytes.Trim(), Is.GreaterThan(0), "trimming the byte pool gives the typed pool's memory back");
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(1000)]
    [TestCase(16_384)]
    [TestCase(int.MaxValue)]
    public void Rent_and_dispose_allocate_nothing_in_steady_state(int count)
    {
        // int.MaxValue stands for the largest class's worth of elements.
        count = Math.Min(count, _bytes.Options.LargestSizeClass / sizeof(T));
        long allocated = Allocations.SteadyStateBytes(() =>
        {
            IMemoryOwner<T> owner = _pool.Rent(count);
            if (count > 0)
            {
                owner.Memory.Span[0] = default;
            }

            owner.Dispose();
        });

        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void A_disposed_typed_pool_refuses_rents_and_leaves_the_byte_pool_open()
    {
        IMemoryOwner<T> held = _pool.Rent(100);
        _pool.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(() => _pool.Rent(100), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => _pool.Rent(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => _pool.Rent(_pool.MaxBufferSize), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => _pool.Dispose(), Throws.Nothing, "dispose is idempotent");
            Assert.That(() => held.Memory.Span.Length, Throws.Nothing, "owners rented before stay valid");
        });

        held.Dispose();
        using IMemoryOwner<byte> owner = _bytes.Rent(100);
        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.EqualTo(1), "the byte pool serves on");
        using var another = new OrthotopeMemoryPool<T>(_bytes);
        using IMemoryOwner<T> typed = another.Rent(100);
        Assert.That(typed.Memory.Length, Is.EqualTo(100));
    }

    [Test]
    public void Rents_after_the_byte_pool_is_disposed_throw_ObjectDisposedException()
    {
        IMemoryOwner<T> small = _pool.Rent(100), large = _pool.Rent((_bytes.Options.LargestSizeClass / sizeof(T)) + 1);
        _bytes.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(() => _pool.Rent(100), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => _pool.Rent(), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => _pool.Rent((_bytes.Options.LargestSizeClass / sizeof(T)) + 1), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => { small.Dispose(); large.Dispose(); }, Throws.Nothing, "late disposes are accepted quietly");
        });
    }

    private static void AddAround(SortedSet<int> counts, int count)
    {
        for (int c = count - 1; c <= count + 1; c++)
        {
            if (c >= 0)
            {
                counts.Add(c);
            }
        }
    }
}
