using System;

namespace Orthotope.Pooling.Tests.Arrays;

[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class ArrayPoolDisposeTests
{
    private readonly string _configuration;

    public ArrayPoolDisposeTests(string configuration)
    {
        _configuration = configuration;
    }

    [Test]
    public void After_dispose_rents_throw_and_arrays_rented_before_are_accepted_back_quietly()
    {
        var pool = new OrthotopeArrayPool(PoolConfigurations.Create(_configuration));
        int large = pool.Options.LargestSizeClass + 1;

        // Warm the thread cache, so that a rent after dispose cannot be served from it.
        for (int i = 0; i < 10; i++)
        {
            pool.Return(pool.Rent(4096));
        }

        byte[] small = pool.Rent(4096);
        byte[] big = pool.Rent(large);
        pool.Dispose();
        pool.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(() => pool.Rent(4096), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => pool.Rent(100), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => pool.Rent(large), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => pool.Return(small), Throws.Nothing);
            Assert.That(() => pool.Return(big), Throws.Nothing);
        });
    }

    [Test]
    public void Disposing_the_shared_pool_does_nothing()
    {
        OrthotopeArrayPool.Shared.Dispose();
        byte[] array = OrthotopeArrayPool.Shared.Rent(1000);
        Assert.That(array, Has.Length.GreaterThanOrEqualTo(1000));
        OrthotopeArrayPool.Shared.Return(array);
    }
}
