using System;
using System.Buffers;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.ObjectPool;

namespace Orthotope.Pooling.Tests.DependencyInjection;

/// <summary><c>AddOrthotopePooling</c>: what it registers, with which options, and that the container owns the pools.</summary>
public sealed class ServiceRegistrationTests
{
    [Test]
    public void The_pools_resolve_as_themselves_and_as_the_BCL_abstractions_one_instance_each()
    {
        using ServiceProvider provider = new ServiceCollection().AddOrthotopePooling().BuildServiceProvider();
        var memory = provider.GetRequiredService<OrthotopeMemoryPool>();
        var arrays = provider.GetRequiredService<OrthotopeArrayPool>();
        var writers = provider.GetRequiredService<ObjectPool<OrthotopeBufferWriter>>();
        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<MemoryPool<byte>>(), Is.SameAs(memory));
            Assert.That(provider.GetRequiredService<OrthotopeMemoryPool>(), Is.SameAs(memory));
            Assert.That(provider.GetRequiredService<ArrayPool<byte>>(), Is.SameAs(arrays));
            Assert.That(provider.GetRequiredService<ObjectPool<OrthotopeBufferWriter>>(), Is.SameAs(writers));
            Assert.That(memory, Is.Not.SameAs(OrthotopeMemoryPool.Shared));
            Assert.That(memory.Name, Is.EqualTo(OrthotopePoolingServiceCollectionExtensions.DefaultName));
            Assert.That(arrays.Name, Is.EqualTo(OrthotopePoolingServiceCollectionExtensions.DefaultName + "-arrays"));
        });
    }

    [Test]
    public void Both_pools_get_the_configured_options_and_distinct_names()
    {
        OrthotopePoolOptions? seen = null;
        using ServiceProvider provider = new ServiceCollection()
            .AddOrthotopePooling(options =>
            {
                options.Name = "api";
                options.LargestSizeClass = 64 << 10;
                options.ThreadCacheBytesPerClass = 0;
                seen = options;
            })
            .BuildServiceProvider();

        // A change to the options object after registration reaches no pool.
        seen!.LargestSizeClass = 256 << 10;

        var memory = provider.GetRequiredService<OrthotopeMemoryPool>();
        var arrays = provider.GetRequiredService<OrthotopeArrayPool>();
        Assert.Multiple(() =>
        {
            Assert.That(memory.Name, Is.EqualTo("api"));
            Assert.That(arrays.Name, Is.EqualTo("api-arrays"));
            Assert.That(memory.Options.LargestSizeClass, Is.EqualTo(64 << 10));
            Assert.That(arrays.Options.LargestSizeClass, Is.EqualTo(64 << 10));
            Assert.That(arrays.Options.ThreadCacheBytesPerClass, Is.Zero);
        });
    }

    [Test]
    public void The_writer_pool_rents_from_the_registered_memory_pool()
    {
        using ServiceProvider provider = new ServiceCollection().AddOrthotopePooling().BuildServiceProvider();
        var memory = provider.GetRequiredService<OrthotopeMemoryPool>();
        var writers = provider.GetRequiredService<ObjectPool<OrthotopeBufferWriter>>();

        OrthotopeBufferWriter writer = writers.Get();
        writer.GetSpan(5000).Fill(3);
        writer.Advance(5000);
        Assert.That(memory.GetStatistics().OutstandingBlocks, Is.EqualTo(1));
        writers.Return(writer);
        Assert.That(memory.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void Disposing_the_provider_disposes_both_pools()
    {
        ServiceProvider provider = new ServiceCollection().AddOrthotopePooling().BuildServiceProvider();
        var memory = provider.GetRequiredService<MemoryPool<byte>>();
        var arrays = provider.GetRequiredService<ArrayPool<byte>>();
        memory.Rent(100).Dispose();
        arrays.Return(arrays.Rent(100));

        provider.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(() => memory.Rent(100), Throws.TypeOf<ObjectDisposedException>());
            Assert.That(() => arrays.Rent(100), Throws.TypeOf<ObjectDisposedException>());
        });
    }

    [Test]
    public void A_bad_option_throws_at_registration_naming_the_option()
    {
        var services = new ServiceCollection();
        Assert.Multiple(() =>
        {
            Assert.That(() => services.AddOrthotopePooling(o => o.SlabSize = 1),
                Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo(nameof(OrthotopePoolOptions.SlabSize)));
            Assert.That(() => services.AddOrthotopePooling(o => o.Name = " "),
                Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo(nameof(OrthotopePoolOptions.Name)));
            Assert.That(services, Is.Empty, "nothing is registered when the options are bad");
        });
    }

    [Test]
    public void Services_must_not_be_null() =>
        Assert.That(() => ((IServiceCollection)null!).AddOrthotopePooling(),
            Throws.ArgumentNullException.With.Property("ParamName").EqualTo("services"));

    [Test]
    public void Registering_again_replaces_the_earlier_registrations_and_earlier_BCL_pools()
    {
        var services = new ServiceCollection();
        services.AddSingleton(ArrayPool<byte>.Shared);
        services.AddOrthotopePooling(o => o.Name = "first");
        services.AddOrthotopePooling(o => o.Name = "second");

        Assert.Multiple(() =>
        {
            Assert.That(services.Count(d => d.ServiceType == typeof(MemoryPool<byte>)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(ArrayPool<byte>)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(OrthotopeMemoryPool)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(ObjectPool<OrthotopeBufferWriter>)), Is.EqualTo(1));
        });

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ArrayPool<byte>>(), Is.InstanceOf<OrthotopeArrayPool>());
            Assert.That(provider.GetRequiredService<OrthotopeMemoryPool>().Name, Is.EqualTo("second"));
        });
    }
}
