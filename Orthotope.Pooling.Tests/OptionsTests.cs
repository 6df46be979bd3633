using System;
using System.Buffers;

namespace Orthotope.Pooling.Tests;

[TestFixture]
public sealed class OptionsTests
{
    private static readonly (string Option, Action<OrthotopePoolOptions> Break)[] s_badValues =
    [
        (nameof(OrthotopePoolOptions.Name), o => o.Name = " "),
        (nameof(OrthotopePoolOptions.Name), o => o.Name = new string('x', OrthotopePoolOptions.MaxNameLength + 1)),
        (nameof(OrthotopePoolOptions.LargestSizeClass), o => o.LargestSizeClass = 1024),
        (nameof(OrthotopePoolOptions.LargestSizeClass), o => o.LargestSizeClass = 512 << 20),
        (nameof(OrthotopePoolOptions.ThreadCacheBytesPerClass), o => o.ThreadCacheBytesPerClass = -1),
        (nameof(OrthotopePoolOptions.ThreadCacheBytesPerClass), o => o.ThreadCacheBytesPerClass = int.MaxValue),
        (nameof(OrthotopePoolOptions.ThreadCacheBytesPerClass), o => o.ThreadCacheBytesPerClass = OrthotopePoolOptions.MaxThreadCacheBytesPerClass + 1),
        (nameof(OrthotopePoolOptions.RefillBatchBytes), o => o.RefillBatchBytes = 0),
        (nameof(OrthotopePoolOptions.RefillBatchBytes), o => o.RefillBatchBytes = OrthotopePoolOptions.MaxRefillBatchBytes + 1),
        (nameof(OrthotopePoolOptions.SlabSize), o => o.SlabSize = 4096),
        (nameof(OrthotopePoolOptions.LargeBlockCacheBytes), o => o.LargeBlockCacheBytes = -1),
        (nameof(OrthotopePoolOptions.MaxReservedBytes), o => o.MaxReservedBytes = -5),
        (nameof(OrthotopePoolOptions.MaxBufferSize), o => o.MaxBufferSize = 4096),
        (nameof(OrthotopePoolOptions.TrimInterval), o => o.TrimInterval = TimeSpan.FromMilliseconds(0.5)),
        (nameof(OrthotopePoolOptions.TrimInterval), o => o.TrimInterval = TimeSpan.FromMilliseconds(-5)),
        (nameof(OrthotopePoolOptions.TrimInterval), o => o.TrimInterval = TimeSpan.FromDays(2)),
        (nameof(OrthotopePoolOptions.LimitBehavior), o => o.LimitBehavior = (OrthotopeLimitBehavior)7),
    ];

    private static int[] BadValueCases => [.. System.Linq.Enumerable.Range(0, s_badValues.Length)];

    [TestCaseSource(nameof(BadValueCases))]
    public void A_bad_option_is_rejected_when_the_pool_is_built_naming_the_option(int caseIndex)
    {
        (string option, Action<OrthotopePoolOptions> breakIt) = s_badValues[caseIndex];
        var options = new OrthotopePoolOptions();
        breakIt(options);

        var ex = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => new OrthotopeMemoryPool(options).Dispose());
        Assert.That(((ArgumentException)ex!).ParamName, Is.EqualTo(option));
        Assert.That(ex.Message, Does.Contain(option));
        Assert.That(() => new OrthotopeArrayPool(options), Throws.InstanceOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo(option));
    }

    [Test]
    public void A_trim_interval_below_a_millisecond_is_rejected_with_the_values_that_are_allowed()
    {
        var options = new OrthotopePoolOptions { TrimInterval = TimeSpan.FromTicks(5000) };
        Assert.That(
            () => new OrthotopeMemoryPool(options),
            Throws.ArgumentException.With.Message.Contains("1 ms").And.Message.Contains("TimeSpan.Zero").And.Message.Contains("InfiniteTimeSpan"));
    }

    [Test]
    public void An_infinite_trim_interval_means_never_as_zero_does()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { TrimInterval = System.Threading.Timeout.InfiniteTimeSpan });
        Assert.That(pool.Options.TrimInterval, Is.EqualTo(System.Threading.Timeout.InfiniteTimeSpan));
        pool.Rent(4096).Dispose();
        Assert.That(pool.GetStatistics().Trims, Is.Zero);
    }

    [Test]
    public void The_largest_thread_cache_budget_is_accepted()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { ThreadCacheBytesPerClass = OrthotopePoolOptions.MaxThreadCacheBytesPerClass });
        for (int size = 64; size <= 1 << 20; size *= 2)
        {
            pool.Rent(size).Dispose();
        }

        Assert.That(pool.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void MaxBufferSize_is_enforced_below_the_largest_class_it_rounds_to()
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { LargestSizeClass = 5000, MaxBufferSize = 5000 });
        Assert.That(pool.MaxBufferSize, Is.EqualTo(5000));
        using (IMemoryOwner<byte> owner = pool.Rent(5000))
        {
            Assert.That(owner.Memory.Length, Is.GreaterThanOrEqualTo(5000));
        }

        Assert.That(() => pool.Rent(5001), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minBufferSize"));
        Assert.That(() => pool.Rent(5100), Throws.InstanceOf<ArgumentOutOfRangeException>());

        var arrays = new OrthotopeArrayPool(new OrthotopePoolOptions { LargestSizeClass = 5000, MaxBufferSize = 5000 });
        Assert.That(arrays.Rent(5000), Has.Length.GreaterThanOrEqualTo(5000));
        Assert.That(() => arrays.Rent(5001), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minimumLength"));
    }

    [Test]
    public void By_default_each_pool_accepts_as_large_a_request_as_it_can_serve()
    {
        using var pool = new OrthotopeMemoryPool();
        Assert.That(pool.MaxBufferSize, Is.EqualTo(OrthotopePoolOptions.MemoryPoolMaxBufferSize));
        Assert.That(() => pool.Rent(OrthotopePoolOptions.MemoryPoolMaxBufferSize + 1), Throws.InstanceOf<ArgumentOutOfRangeException>());

        var arrays = new OrthotopeArrayPool();
        Assert.That(arrays.MaxArrayLength, Is.EqualTo(Array.MaxLength), "an array pool's large arrays need no alignment padding");
        byte[] huge = arrays.Rent(OrthotopePoolOptions.MemoryPoolMaxBufferSize + 1);
        Assert.That(huge, Has.Length.EqualTo(OrthotopePoolOptions.MemoryPoolMaxBufferSize + 1));
        arrays.Return(huge);
        arrays.Trim();
        Assert.That(() => arrays.Rent(Array.MaxLength + 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void A_pool_whose_constructor_threw_finalizes_quietly()
    {
        for (int i = 0; i < 10; i++)
        {
            Assert.That(() => new OrthotopeMemoryPool(new OrthotopePoolOptions { SlabSize = 1 }), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => new OrthotopeArrayPool(new OrthotopePoolOptions { SlabSize = 1 }), Throws.InstanceOf<ArgumentException>());
        }

        // A finalizer that threw would crash the process here.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Pass("finalizers ran without throwing");
    }

    [Test]
    public void Null_options_are_rejected() =>
        Assert.That(() => new OrthotopeMemoryPool(null!), Throws.ArgumentNullException);

    [Test]
    public void The_pool_copies_its_options_so_later_changes_do_not_reach_it()
    {
        var options = new OrthotopePoolOptions { Name = "copy", MaxBufferSize = 8 << 20 };
        using var pool = new OrthotopeMemoryPool(options);
        options.MaxBufferSize = 16 << 20;
        options.Name = "changed";
        Assert.That(pool.MaxBufferSize, Is.EqualTo(8 << 20));
        Assert.That(pool.Name, Is.EqualTo("copy"));
    }

    [Test]
    public void Defaults_are_the_documented_ones()
    {
        var options = new OrthotopePoolOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.LargestSizeClass, Is.EqualTo(1 << 20));
            Assert.That(options.ThreadCacheBytesPerClass, Is.EqualTo(64 << 10));
            Assert.That(options.RefillBatchBytes, Is.EqualTo(32 << 10));
            Assert.That(options.MaxReservedBytes, Is.Zero);
            Assert.That(options.MaxBufferSize, Is.EqualTo(OrthotopePoolOptions.DefaultMaxBufferSize));
            Assert.That(Array.MaxLength - OrthotopePoolOptions.MemoryPoolMaxBufferSize, Is.GreaterThanOrEqualTo(63), "room for the alignment padding");
        });
    }
}
