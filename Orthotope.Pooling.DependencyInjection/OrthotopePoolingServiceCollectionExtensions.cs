using System;
using System.Buffers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.ObjectPool;
using Orthotope.Pooling;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Orthotope.Pooling's pools in an <see cref="IServiceCollection"/>: one <see cref="OrthotopeMemoryPool"/>,
/// one <see cref="OrthotopeArrayPool"/> and an <see cref="ObjectPool{T}"/> of <see cref="OrthotopeBufferWriter"/>s.
/// </summary>
/// <remarks>
/// <para>
/// This lives in its own package, Orthotope.Pooling.DependencyInjection, which depends on the core library and
/// Microsoft.Extensions.DependencyInjection.Abstractions only: a worker service or a console host gets the pools
/// without the ASP.NET Core shared framework that Orthotope.Pooling.AspNetCore needs for Kestrel, and the core
/// library stays free of any container dependency.
/// </para>
/// <para>
/// Registration happens while the host is being built, on one thread; the methods are not meant to run concurrently
/// on one collection. The pools themselves are thread-safe singletons.
/// </para>
/// </remarks>
public static class OrthotopePoolingServiceCollectionExtensions
{
    /// <summary>The default <see cref="OrthotopePoolOptions.Name"/> of the registered memory pool.</summary>
    public const string DefaultName = "services";

    /// <summary>The suffix that makes the array pool's name from the memory pool's, as the shared pools do (<c>"shared-arrays"</c>).</summary>
    public const string ArrayPoolNameSuffix = "-arrays";

    /// <summary>
    /// Registers, as singletons made by the container on first use and disposed with it: an
    /// <see cref="OrthotopeMemoryPool"/> as itself and as <see cref="MemoryPool{T}"/> of bytes; an
    /// <see cref="OrthotopeArrayPool"/> with the same options (named with <see cref="ArrayPoolNameSuffix"/>) as itself
    /// and as <see cref="ArrayPool{T}"/> of bytes; and an <see cref="ObjectPool{T}"/> of
    /// <see cref="OrthotopeBufferWriter"/>s on the memory pool (<see cref="OrthotopeBufferWriters.CreateBufferWriterPool"/>,
    /// 64 retained).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Adjusts the pool options, run once, now. <see cref="OrthotopePoolOptions.Name"/> starts as
    /// <see cref="DefaultName"/>.
    /// </param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the exception's parameter name is the option.</exception>
    /// <remarks>
    /// Calling it again replaces the earlier registrations and their options. Services registered before under
    /// <see cref="MemoryPool{T}"/> or <see cref="ArrayPool{T}"/> of bytes are replaced too, so that whoever asks for
    /// either gets Orthotope's. The container owns the pools: disposing the service provider disposes them (later
    /// rents throw <see cref="ObjectDisposedException"/>); blocks still rented then stay valid and are dropped when
    /// returned.
    /// </remarks>
    public static IServiceCollection AddOrthotopePooling(this IServiceCollection services, Action<OrthotopePoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = new OrthotopePoolOptions { Name = DefaultName };
        configure?.Invoke(options);
        options.Validate();
        OrthotopePoolOptions arrayOptions = options.Clone();
        arrayOptions.Name = options.Name + ArrayPoolNameSuffix;

        // The options were validated and are copied into each pool when it is built, so a later change to the
        // caller's object cannot reach the pools.
        OrthotopePoolOptions memoryOptions = options.Clone();

        services.RemoveAll<OrthotopeMemoryPool>();
        services.RemoveAll<MemoryPool<byte>>();
        services.RemoveAll<OrthotopeArrayPool>();
        services.RemoveAll<ArrayPool<byte>>();
        services.RemoveAll<ObjectPool<OrthotopeBufferWriter>>();

        // Factories, not instances: the container disposes only what it created.
        services.AddSingleton(_ => new OrthotopeMemoryPool(memoryOptions));
        services.AddSingleton<MemoryPool<byte>>(provider => provider.GetRequiredService<OrthotopeMemoryPool>());
        services.AddSingleton(_ => new OrthotopeArrayPool(arrayOptions));
        services.AddSingleton<ArrayPool<byte>>(provider => provider.GetRequiredService<OrthotopeArrayPool>());
        services.AddSingleton(provider => provider.GetRequiredService<OrthotopeMemoryPool>().CreateBufferWriterPool());
        return services;
    }
}
