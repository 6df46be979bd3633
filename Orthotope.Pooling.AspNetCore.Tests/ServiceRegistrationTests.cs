using System;
using System.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Orthotope.Pooling.AspNetCore.Tests;

public sealed class ServiceRegistrationTests
{
    [Test]
    public void The_container_resolves_one_factory_as_both_services()
    {
        var services = new ServiceCollection();
        services.AddOrthotopeMemoryPool();
        using ServiceProvider provider = services.BuildServiceProvider();

        var factory = provider.GetRequiredService<OrthotopeMemoryPoolFactory>();

        Assert.That(provider.GetRequiredService<IMemoryPoolFactory<byte>>(), Is.SameAs(factory));
        Assert.That(factory.NamePrefix, Is.EqualTo(OrthotopeMemoryPoolFactory.DefaultNamePrefix));
    }

    [Test]
    public void It_replaces_the_factories_Kestrel_registered_before_it()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        Assume.That(builder.Services.Count(d => d.ServiceType == typeof(IMemoryPoolFactory<byte>)), Is.GreaterThan(0));

        builder.Services.AddOrthotopeMemoryPool();

        Assert.That(builder.Services.Count(d => d.ServiceType == typeof(IMemoryPoolFactory<byte>)), Is.EqualTo(1));
        using ServiceProvider provider = builder.Services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<IMemoryPoolFactory<byte>>(), Is.InstanceOf<OrthotopeMemoryPoolFactory>());
    }

    [Test]
    public void Calling_it_twice_keeps_one_registration_and_the_last_options()
    {
        var services = new ServiceCollection();
        services.AddOrthotopeMemoryPool(o => o.Name = "first");
        services.AddOrthotopeMemoryPool(o => o.Name = "second");

        Assert.That(services.Count(d => d.ServiceType == typeof(OrthotopeMemoryPoolFactory)), Is.EqualTo(1));
        Assert.That(services.Count(d => d.ServiceType == typeof(IMemoryPoolFactory<byte>)), Is.EqualTo(1));
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<OrthotopeMemoryPoolFactory>().NamePrefix, Is.EqualTo("second"));
    }

    [Test]
    public void The_configure_callback_is_applied_to_every_pool()
    {
        var services = new ServiceCollection();
        services.AddOrthotopeMemoryPool(o =>
        {
            o.Name = "edge";
            o.ThreadCacheBytesPerClass = 0;
            o.SlabSize = 256 << 10;
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<OrthotopeMemoryPoolFactory>();

        using (factory.Create(new MemoryPoolOptions { Owner = "sockets" }))
        {
            OrthotopeMemoryPool pool = factory.Pools.Single();
            Assert.That(pool.Name, Is.EqualTo("edge/sockets"));
            Assert.That(pool.Options.ThreadCacheBytesPerClass, Is.Zero);
            Assert.That(pool.Options.SlabSize, Is.EqualTo(256 << 10));
        }
    }

    [TestCase(nameof(OrthotopePoolOptions.SlabSize))]
    [TestCase(nameof(OrthotopePoolOptions.RefillBatchBytes))]
    [TestCase(nameof(OrthotopePoolOptions.Name))]
    public void Bad_options_throw_at_registration_naming_the_option(string option)
    {
        var services = new ServiceCollection();

        Assert.That(() => services.AddOrthotopeMemoryPool(o => OptionsTestData.ApplyBadValue(o, option)),
            Throws.InstanceOf<ArgumentException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo(option));
        Assert.That(services, Is.Empty);
    }

    [Test]
    public void Disposing_the_container_disposes_the_factory()
    {
        var services = new ServiceCollection();
        services.AddOrthotopeMemoryPool();
        ServiceProvider provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<OrthotopeMemoryPoolFactory>();
        using (factory.Create(new MemoryPoolOptions { Owner = "sockets" }))
        {
            provider.Dispose();
        }

        Assert.That(factory.Pools, Is.Empty);
        Assert.That(() => factory.Create(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void A_null_collection_is_rejected()
    {
        Assert.That(() => OrthotopeMemoryPoolServiceCollectionExtensions.AddOrthotopeMemoryPool(null!),
            Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("services"));
    }
}
