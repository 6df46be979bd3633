using System.Buffers;

namespace Orthotope.Pooling.Tests.Memory;

[TestFixture]
public sealed class SharedPoolTests
{
    [Test]
    public void Shared_is_one_pool_that_survives_dispose()
    {
        OrthotopeMemoryPool shared = OrthotopeMemoryPool.Shared;
        shared.Dispose();
        Assert.That(OrthotopeMemoryPool.Shared, Is.SameAs(shared));
        using IMemoryOwner<byte> owner = shared.Rent(1234);
        Assert.That(owner.Memory.Length, Is.GreaterThanOrEqualTo(1234));
        Assert.That(shared.Name, Is.EqualTo("shared"));
    }
}
