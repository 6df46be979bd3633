using System;

namespace Orthotope.Pooling.Tests;

[TestFixture]
public sealed class OptionsTests
{
    private static readonly (string Option, Action<OrthotopePoolOptions> Break)[] s_badValues =
    [
        (nameof(OrthotopePoolOptions.Name), o => o.Name = " "),
        (nameof(OrthotopePoolOptions.LargestSizeClass), o => o.LargestSizeClass = 1024),
        (nameof(OrthotopePoolOptions.LargestSizeClass), o => o.LargestSizeClass = 512 << 20),
        (nameof(OrthotopePoolOptions.ThreadCacheBytesPerClass), o => o.ThreadCacheBytesPerClass = -1),
        (nameof(OrthotopePoolOptions.RefillBatchBytes), o => o.RefillBatchBytes = 0),
        (nameof(OrthotopePoolOptions.SlabSize), o => o.SlabSize = 4096),
        (nameof(OrthotopePoolOptions.LargeBlockCacheBytes), o => o.LargeBlockCacheBytes = -1),
        (nameof(OrthotopePoolOptions.MaxReservedBytes), o => o.MaxReservedBytes = -5),
        (nameof(OrthotopePoolOptions.MaxBufferSize), o => o.MaxBufferSize = 4096),
        (nameof(OrthotopePoolOptions.MaxBufferSize), o => o.MaxBufferSize = int.MaxValue),
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
            Assert.That(options.MaxBufferSize + 63, Is.LessThanOrEqualTo(Array.MaxLength));
        });
    }
}
