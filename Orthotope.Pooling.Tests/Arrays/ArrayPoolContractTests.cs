using System;
using System.Buffers;
using System.Linq;

namespace Orthotope.Pooling.Tests.Arrays;

[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class ArrayPoolContractTests
{
    private readonly string _configuration;
    private OrthotopeArrayPool _pool = null!;

    public ArrayPoolContractTests(string configuration)
    {
        _configuration = configuration;
    }

    [SetUp]
    public void SetUp() => _pool = new OrthotopeArrayPool(PoolConfigurations.Create(_configuration));

    [TearDown]
    public void TearDown() => _pool.Dispose();

    private int Largest => _pool.Options.LargestSizeClass;

    [Test]
    public void Rent_of_zero_gives_an_empty_array_that_can_be_returned()
    {
        byte[] empty = _pool.Rent(0);
        Assert.That(empty, Is.Empty);
        Assert.That(() => _pool.Return(empty), Throws.Nothing);
    }

    [TestCase(-1)]
    [TestCase(int.MinValue)]
    public void Rent_of_a_negative_length_throws_naming_the_argument(int length)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _pool.Rent(length));
        Assert.That(ex!.ParamName, Is.EqualTo("minimumLength"));
    }

    [Test]
    public void Return_of_null_throws_naming_the_argument()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => _pool.Return(null!));
        Assert.That(ex!.ParamName, Is.EqualTo("array"));
    }

    [TestCase(1)]
    [TestCase(63)]
    [TestCase(4095)]
    [TestCase(5000)]
    public void Return_of_an_array_whose_length_is_not_a_class_length_throws(int length)
    {
        var ex = Assert.Throws<ArgumentException>(() => _pool.Return(new byte[length]));
        Assert.That(ex!.ParamName, Is.EqualTo("array"));
        Assert.That(ex.Message, Does.Contain(length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase(1)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(4096)]
    [TestCase(4097)]
    [TestCase(60_000)]
    public void Rent_gives_a_class_length_at_least_the_request(int length)
    {
        byte[] array = _pool.Rent(length);
        Assert.That(array, Has.Length.GreaterThanOrEqualTo(length).And.Length.LessThanOrEqualTo(Math.Max(64, length * 5 / 4)));
        Assert.That(() => _pool.Return(array), Throws.Nothing);
    }

    [Test]
    public void ClearArray_zeroes_the_array_before_it_is_reused()
    {
        byte[] array = _pool.Rent(4096);
        array.AsSpan().Fill(0xFF);
        _pool.Return(array, clearArray: true);
        Assert.That(array.AsSpan().IndexOfAnyExcept((byte)0), Is.EqualTo(-1));

        byte[] large = _pool.Rent(Largest + 10);
        large.AsSpan().Fill(0xFF);
        _pool.Return(large, clearArray: true);
        Assert.That(large.AsSpan().IndexOfAnyExcept((byte)0), Is.EqualTo(-1));
    }

    [Test]
    public void A_request_above_the_largest_class_gets_an_exact_array_that_is_reused_within_the_budget()
    {
        int length = Largest + 12_345;
        byte[] array = _pool.Rent(length);
        Assert.That(array, Has.Length.EqualTo(length));
        _pool.Return(array);
        Assert.That(_pool.Rent(length), Is.SameAs(array), "kept in the large-path budget");

        OrthotopePoolOptions options = PoolConfigurations.Create(_configuration);
        options.LargeBlockCacheBytes = 0;
        var noLargeCache = new OrthotopeArrayPool(options);
        byte[] dropped = noLargeCache.Rent(length);
        noLargeCache.Return(dropped);
        Assert.That(noLargeCache.Rent(length), Is.Not.SameAs(dropped), "accepted and dropped");
        Assert.That(noLargeCache.GetStatistics().LargeCachedBlocks, Is.Zero);
    }

    [Test]
    public void A_request_above_MaxArrayLength_throws()
    {
        OrthotopePoolOptions options = PoolConfigurations.Create(_configuration);
        options.MaxBufferSize = 2 * Largest;
        var pool = new OrthotopeArrayPool(options);
        Assert.That(pool.Rent(pool.MaxArrayLength), Has.Length.EqualTo(pool.MaxArrayLength));
        Assert.That(() => pool.Rent(pool.MaxArrayLength + 1),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("minimumLength"));
    }

    [Test]
    public void A_burst_of_64_rents_and_returns_stays_in_the_thread_cache()
    {
        int classIndex = Orthotope.Pooling.Engine.SizeClassTable.GetIndex(4096);
        void Burst()
        {
            byte[][] arrays = Enumerable.Range(0, 64).Select(_ => _pool.Rent(4096)).ToArray();
            foreach (byte[] array in arrays)
            {
                _pool.Return(array);
            }
        }

        Burst();
        Burst();
        long refillsBefore = _pool.GetStatistics().SizeClasses[classIndex].Refills;
        Burst();
        Burst();
        Orthotope.Pooling.SizeClassStatistics stats = _pool.GetStatistics().SizeClasses[classIndex];

        if (_configuration == "default")
        {
            Assert.That(stats.Refills, Is.EqualTo(refillsBefore), "bursts after the first are served from the thread's own cache");
            Assert.That(stats.CentralBlocks, Is.Zero);
            Assert.That(stats.ThreadCachedBlocks, Is.EqualTo(64));
        }
        else if (_configuration == "no-thread-cache")
        {
            Assert.That(stats.ThreadCachedBlocks, Is.Zero, "no thread caches in this configuration");
            Assert.That(stats.CentralBlocks, Is.EqualTo(64));
        }
        else
        {
            // Tiny caches cannot hold a burst; the blocks still all come back.
            Assert.That(stats.OutstandingBlocks, Is.Zero);
            Assert.That(stats.CentralBlocks + stats.ThreadCachedBlocks, Is.EqualTo(64));
        }
    }

    [Test]
    public void Rent_and_return_allocate_nothing_in_steady_state()
    {
        long allocated = Allocations.SteadyStateBytes(() =>
        {
            byte[] array = _pool.Rent(4096);
            array[0] = 1;
            _pool.Return(array);
        });
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void Statistics_count_arrays_out_and_trim_releases_the_free_ones()
    {
        byte[][] arrays = Enumerable.Range(0, 100).Select(i => _pool.Rent(1000 + i)).ToArray();
        PoolStatistics stats = _pool.GetStatistics();
        Assert.That(stats.OutstandingBlocks, Is.EqualTo(100));
        Assert.That(stats.ReservedBytes, Is.GreaterThanOrEqualTo(stats.OutstandingBytes));
        Assert.That(stats.Slabs, Is.Zero, "array pools are not slab-backed");
        foreach (byte[] array in arrays)
        {
            _pool.Return(array);
        }

        Assert.That(_pool.GetStatistics().OutstandingBlocks, Is.Zero);
        _pool.Trim();
        Assert.That(_pool.GetStatistics().ReservedBytes, Is.Zero);
        Assert.That(_pool.Rent(1000), Has.Length.GreaterThanOrEqualTo(1000), "serves on after a trim");
    }

    [Test]
    public void Shared_is_one_pool_with_a_name()
    {
        ArrayPool<byte> shared = OrthotopeArrayPool.Shared;
        Assert.That(shared, Is.SameAs(OrthotopeArrayPool.Shared));
        Assert.That(OrthotopeArrayPool.Shared.Name, Is.EqualTo("shared-arrays"));
    }
}
