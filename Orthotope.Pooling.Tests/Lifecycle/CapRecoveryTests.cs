using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;

namespace Orthotope.Pooling.Tests.Lifecycle;

/// <summary>
/// A capped pool serves after a trim what it served before: a class's slab sizes follow the slabs it still holds,
/// growth near the cap takes the smaller slab that fits, and a trim at the limit frees what the renting thread's
/// own cache holds too.
/// </summary>
[TestFixture]
public sealed class CapRecoveryTests
{
    [Test]
    public void A_class_whose_slabs_were_trimmed_away_grows_again_under_the_cap()
    {
        using var pool = new OrthotopeMemoryPool(Capped(1 << 20));
        for (int round = 0; round < 3; round++)
        {
            IMemoryOwner<byte>[] owners = Enumerable.Range(0, 252).Select(_ => pool.Rent(4096)).ToArray();
            foreach (IMemoryOwner<byte> owner in owners)
            {
                owner.Dispose();
            }

            pool.Trim();
            Assert.That(pool.GetStatistics().ReservedBytes, Is.Zero, $"round {round}: everything went back");
        }
    }

    [Test]
    public void Filling_a_capped_pool_after_a_trim_serves_as_many_blocks_as_the_first_fill()
    {
        using var pool = new OrthotopeMemoryPool(Capped(4 << 20));
        int first = FillUntilExhausted(pool, 4096);
        Assert.That(first, Is.GreaterThanOrEqualTo(1000), "4 MiB holds 1,024 blocks less slab padding");
        for (int round = 0; round < 2; round++)
        {
            pool.Trim();
            Assert.That(FillUntilExhausted(pool, 4096), Is.EqualTo(first), $"refill {round + 1}");
        }
    }

    [Test]
    public void A_trim_at_the_limit_releases_slabs_held_free_in_the_renting_threads_own_cache()
    {
        const long Cap = 8 << 20;
        using var pool = new OrthotopeMemoryPool(Capped(Cap));
        int small = FillUntilExhausted(pool, 4096);
        Assert.That(small, Is.GreaterThan(1900));

        // Every 4 KiB block is free now, some in this thread's cache, the rest centrally; 64 KiB rents must be able
        // to reuse nearly all of it.
        var large = new List<IMemoryOwner<byte>>();
        try
        {
            while (true)
            {
                large.Add(pool.Rent(64 << 10));
            }
        }
        catch (OrthotopePoolExhaustedException)
        {
        }

        long served = large.Sum(o => (long)o.Memory.Length);
        TestContext.Out.WriteLine($"{small} x 4 KiB, then {large.Count} x 64 KiB; {pool.GetStatistics()}");
        Assert.That(served, Is.GreaterThan(Cap - (512 << 10)), "all but the slab padding and a few partial slabs");
        foreach (IMemoryOwner<byte> owner in large)
        {
            owner.Dispose();
        }
    }

    /// <summary>
    /// The fragmentation docs/memory.md describes: a capped pool filled with 4 KiB blocks, then all but one in 64
    /// returned, can serve 64 KiB rents only from slabs that became wholly free. The trims the limit triggers must
    /// release every one of them for the larger class: the rents served cover what a manual trim releases on a twin
    /// pool driven the same way. The test prints the figures the docs quote.
    /// </summary>
    [TestCase(OrthotopePoolOptions.DefaultSlabSize)]
    [TestCase(OrthotopePoolOptions.MinSlabSize)]
    public void After_fragmenting_a_capped_pool_the_limit_trim_frees_every_wholly_free_slab_for_another_class(int slabSize)
    {
        const long Cap = 8 << 20;
        OrthotopePoolOptions options = Capped(Cap);
        options.SlabSize = slabSize;
        using var twin = new OrthotopeMemoryPool(options);
        (int filled, List<IMemoryOwner<byte>> twinLive) = FillThenKeepOneIn64(twin);
        long releasable = twin.Trim();

        using var pool = new OrthotopeMemoryPool(options);
        (_, List<IMemoryOwner<byte>> live) = FillThenKeepOneIn64(pool);
        var large = new List<IMemoryOwner<byte>>();
        try
        {
            while (true)
            {
                large.Add(pool.Rent(64 << 10));
            }
        }
        catch (OrthotopePoolExhaustedException)
        {
        }

        TestContext.Out.WriteLine(
            $"SlabSize {slabSize >> 10} KiB: {filled} x 4 KiB filled the cap; with 1 in 64 kept ({live.Count} blocks, " +
            $"{live.Count * 4} KiB live), {releasable >> 10} KiB of slabs were wholly free, and {large.Count} x 64 KiB " +
            $"rents were served ({large.Count * 64} KiB).");
        Assert.That(
            (long)large.Count * ((64 << 10) + 63),
            Is.GreaterThanOrEqualTo(releasable - (64 << 10)),
            "every wholly free slab was released for the larger class, to within one 64 KiB block");
        large.ForEach(o => o.Dispose());
        live.ForEach(o => o.Dispose());
        twinLive.ForEach(o => o.Dispose());
    }

    /// <summary>Fills the pool with 4 KiB blocks to its cap, then returns all but one in 64; returns the count and the kept ones.</summary>
    private static (int Filled, List<IMemoryOwner<byte>> Kept) FillThenKeepOneIn64(OrthotopeMemoryPool pool)
    {
        var small = new List<IMemoryOwner<byte>>();
        try
        {
            while (true)
            {
                small.Add(pool.Rent(4096));
            }
        }
        catch (OrthotopePoolExhaustedException)
        {
        }

        var kept = new List<IMemoryOwner<byte>>();
        for (int i = 0; i < small.Count; i++)
        {
            if (i % 64 == 0)
            {
                kept.Add(small[i]);
            }
            else
            {
                small[i].Dispose();
            }
        }

        return (small.Count, kept);
    }

    [Test]
    public void The_limit_exception_says_what_was_asked_what_it_needed_and_what_to_change()
    {
        using var pool = new OrthotopeMemoryPool(Capped(1 << 20));
        var held = new List<IMemoryOwner<byte>>();
        var ex = Assert.Throws<OrthotopePoolExhaustedException>(() =>
        {
            while (true)
            {
                held.Add(pool.Rent(4096));
            }
        });
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("4096"), "the rent's size");
            Assert.That(ex.Message, Does.Contain("slab"), "what it needed");
            Assert.That(ex.Message, Does.Contain("MaxReservedBytes"));
            Assert.That(ex.Message, Does.Contain("SlabSize"));
            Assert.That(ex.Message, Does.Contain("AllocateUnpooled"));
            Assert.That(ex.RequestedSize, Is.EqualTo(4096));
            Assert.That(ex.RequestedBytes, Is.GreaterThan(4096), "a slab, not just the block");
            Assert.That(ex.MaxReservedBytes, Is.EqualTo(1 << 20));
        });

        held.ForEach(o => o.Dispose());
    }

    private static OrthotopePoolOptions Capped(long cap) => new()
    {
        MaxReservedBytes = cap,
        TrimInterval = TimeSpan.Zero,
        TrimOnMemoryPressure = false,
    };

    /// <summary>Rents blocks until the pool throws at its cap, returns them all, and says how many it got.</summary>
    private static int FillUntilExhausted(OrthotopeMemoryPool pool, int size)
    {
        var held = new List<IMemoryOwner<byte>>();
        try
        {
            while (true)
            {
                IMemoryOwner<byte> owner = pool.Rent(size);
                owner.Memory.Span[0] = 1;
                held.Add(owner);
            }
        }
        catch (OrthotopePoolExhaustedException)
        {
        }

        foreach (IMemoryOwner<byte> owner in held)
        {
            owner.Dispose();
        }

        return held.Count;
    }
}
