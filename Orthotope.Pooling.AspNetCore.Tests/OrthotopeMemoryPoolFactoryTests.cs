using System;
using System.Buffers;
using System.Linq;
using Microsoft.AspNetCore.Connections;

namespace Orthotope.Pooling.AspNetCore.Tests;

public sealed class OrthotopeMemoryPoolFactoryTests
{
    private static MemoryPoolOptions Owner(string? owner) => new() { Owner = owner };

    [Test]
    public void A_pool_is_named_after_the_prefix_and_the_owner()
    {
        using var factory = new OrthotopeMemoryPoolFactory();
        using MemoryPool<byte> pool = factory.Create(Owner("sockets"));

        Assert.That(factory.Pools.Select(p => p.Name), Is.EqualTo(new[] { "aspnetcore/sockets" }));
        Assert.That(factory.Pools[0].GetStatistics().PoolName, Is.EqualTo("aspnetcore/sockets"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  ")]
    public void A_missing_owner_is_named_unnamed(string? owner)
    {
        using var factory = new OrthotopeMemoryPoolFactory();
        using MemoryPool<byte> pool = factory.Create(Owner(owner));
        using MemoryPool<byte> noOptions = factory.Create();

        Assert.That(factory.Pools.Select(p => p.Name), Is.EqualTo(new[] { "aspnetcore/unnamed" }));
    }

    [Test]
    public void The_options_name_is_the_prefix()
    {
        using var factory = new OrthotopeMemoryPoolFactory(new OrthotopePoolOptions { Name = "edge" });
        using MemoryPool<byte> pool = factory.Create(Owner("pipes"));

        Assert.That(factory.NamePrefix, Is.EqualTo("edge"));
        Assert.That(factory.Pools.Single().Name, Is.EqualTo("edge/pipes"));
    }

    [Test]
    public void Calls_with_one_owner_share_a_pool_and_other_owners_get_their_own()
    {
        using var factory = new OrthotopeMemoryPoolFactory();
        using MemoryPool<byte> queue0 = factory.Create(Owner("sockets"));
        using MemoryPool<byte> queue1 = factory.Create(Owner("sockets"));
        using MemoryPool<byte> pipes = factory.Create(Owner("pipes"));

        queue0.Rent(100).Dispose();
        queue1.Rent(100).Dispose();

        Assert.That(factory.Pools.Select(p => p.Name), Is.EquivalentTo(new[] { "aspnetcore/sockets", "aspnetcore/pipes" }));
        Assert.That(factory.TryGetPool("sockets", out OrthotopeMemoryPool? sockets), Is.True);
        Assert.That(sockets!.GetStatistics().Rents, Is.EqualTo(2));
        Assert.That(factory.TryGetPool("pipes", out OrthotopeMemoryPool? pipesPool), Is.True);
        Assert.That(pipesPool!.GetStatistics().Rents, Is.Zero);
        Assert.That(factory.TryGetPool("quic", out _), Is.False);
    }

    [Test]
    public void A_handle_rents_from_the_pool_with_its_limits()
    {
        using var factory = new OrthotopeMemoryPoolFactory(new OrthotopePoolOptions { MaxBufferSize = 8 << 20 });
        using MemoryPool<byte> handle = factory.Create(Owner("sockets"));

        using (IMemoryOwner<byte> block = handle.Rent(5000))
        {
            Assert.That(block.Memory.Length, Is.GreaterThanOrEqualTo(5000));
            Assert.That(factory.Pools[0].GetStatistics().OutstandingBlocks, Is.EqualTo(1));
        }

        Assert.That(handle.MaxBufferSize, Is.EqualTo(8 << 20));
        Assert.That(() => handle.Rent((8 << 20) + 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(factory.Pools[0].GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void Disposing_a_handle_ends_the_handle_but_not_the_shared_pool()
    {
        using var factory = new OrthotopeMemoryPoolFactory();
        MemoryPool<byte> first = factory.Create(Owner("sockets"));
        using MemoryPool<byte> second = factory.Create(Owner("sockets"));
        IMemoryOwner<byte> rentedBefore = first.Rent(64);

        first.Dispose();

        Assert.That(() => first.Rent(64), Throws.TypeOf<ObjectDisposedException>());
        using (IMemoryOwner<byte> block = second.Rent(64))
        {
            Assert.That(block.Memory.Length, Is.GreaterThanOrEqualTo(64));
        }

        rentedBefore.Memory.Span.Fill(0x5A);
        rentedBefore.Dispose();
        Assert.That(factory.Pools[0].GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void Disposing_the_factory_disposes_its_pools_and_accepts_late_returns()
    {
        var factory = new OrthotopeMemoryPoolFactory();
        MemoryPool<byte> handle = factory.Create(Owner("sockets"));
        OrthotopeMemoryPool pool = factory.Pools.Single();
        IMemoryOwner<byte> small = handle.Rent(100);
        IMemoryOwner<byte> large = handle.Rent(4 << 20);

        factory.Dispose();

        Assert.That(factory.Pools, Is.Empty);
        Assert.That(() => pool.Rent(100), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => handle.Rent(100), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => { small.Dispose(); large.Dispose(); handle.Dispose(); }, Throws.Nothing);
        Assert.That(() => factory.Dispose(), Throws.Nothing);
    }

    [Test]
    public void Create_after_dispose_throws_ObjectDisposedException()
    {
        var factory = new OrthotopeMemoryPoolFactory();
        factory.Dispose();

        Assert.That(() => factory.Create(Owner("sockets")), Throws.TypeOf<ObjectDisposedException>());
    }

    [TestCase(nameof(OrthotopePoolOptions.SlabSize))]
    [TestCase(nameof(OrthotopePoolOptions.RefillBatchBytes))]
    [TestCase(nameof(OrthotopePoolOptions.Name))]
    public void Bad_options_throw_an_ArgumentException_naming_the_option(string option)
    {
        OrthotopePoolOptions options = OptionsTestData.WithBadValue(option);

        Assert.That(() => new OrthotopeMemoryPoolFactory(options),
            Throws.InstanceOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo(option));
    }

    [Test]
    public void The_factory_copies_its_options()
    {
        var options = new OrthotopePoolOptions { Name = "edge", ThreadCacheBytesPerClass = 0 };
        using var factory = new OrthotopeMemoryPoolFactory(options);
        options.Name = "changed";
        options.ThreadCacheBytesPerClass = 1 << 20;

        using MemoryPool<byte> handle = factory.Create(Owner("sockets"));

        Assert.That(factory.Pools[0].Name, Is.EqualTo("edge/sockets"));
        Assert.That(factory.Pools[0].Options.ThreadCacheBytesPerClass, Is.Zero);
    }
}
