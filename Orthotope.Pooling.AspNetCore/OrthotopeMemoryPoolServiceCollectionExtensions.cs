using System;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.NamedPipes;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orthotope.Pooling;
using Orthotope.Pooling.AspNetCore;
using Orthotope.Pooling.AspNetCore.Transports;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <see cref="OrthotopeMemoryPoolFactory"/> as Kestrel's memory pool factory.</summary>
/// <remarks>Registration happens while the host is being built, on one thread; the methods are not meant to run concurrently on one collection.</remarks>
public static class OrthotopeMemoryPoolServiceCollectionExtensions
{
    /// <summary>
    /// Makes Kestrel's socket and named-pipe transports rent their buffers from <see cref="OrthotopeMemoryPool"/>s:
    /// registers a singleton <see cref="OrthotopeMemoryPoolFactory"/> and makes it the container's only
    /// <see cref="IMemoryPoolFactory{T}"/> of bytes, whether this runs before or after <c>UseKestrel()</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Adjusts the pool options, run once, now. <see cref="OrthotopePoolOptions.Name"/> starts as
    /// <see cref="OrthotopeMemoryPoolFactory.DefaultNamePrefix"/> and becomes the prefix of the pools' names.
    /// </param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the exception's parameter name is the option.</exception>
    /// <remarks>
    /// Calling it again replaces the earlier registration and its options. The factory is owned by the container,
    /// which disposes it, and with it every pool, when the host is disposed.
    /// </remarks>
    public static IServiceCollection AddOrthotopeMemoryPool(this IServiceCollection services, Action<OrthotopePoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = new OrthotopePoolOptions { Name = OrthotopeMemoryPoolFactory.DefaultNamePrefix };
        configure?.Invoke(options);
        options.Validate();

        services.RemoveAll<OrthotopeMemoryPoolFactory>();
        services.AddSingleton(_ => new OrthotopeMemoryPoolFactory(options));

        // Kestrel's UseKestrel() adds its factory with Add (the sockets transport TryAdds a fallback one), so
        // every earlier registration is removed here; TransportPoolFactorySetup covers the ones added after.
        services.RemoveAll<IMemoryPoolFactory<byte>>();
        services.AddSingleton<IMemoryPoolFactory<byte>>(provider => provider.GetRequiredService<OrthotopeMemoryPoolFactory>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<SocketTransportOptions>, TransportPoolFactorySetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<NamedPipeTransportOptions>, TransportPoolFactorySetup>());
        return services;
    }
}
