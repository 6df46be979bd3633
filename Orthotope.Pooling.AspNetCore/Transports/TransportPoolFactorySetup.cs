using System;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.NamedPipes;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Orthotope.Pooling.AspNetCore.Transports;

/// <summary>
/// Makes the socket and named-pipe transports use the <see cref="OrthotopeMemoryPoolFactory"/> even when
/// <c>UseKestrel()</c> ran after <c>AddOrthotopeMemoryPool()</c>.
/// </summary>
/// <remarks>
/// <para>
/// The transports read their pool factory from their options, which Kestrel configures from the container's
/// <see cref="IMemoryPoolFactory{T}"/>, and <c>UseKestrel()</c> <em>adds</em> its own registration of that service
/// (it does not use <c>TryAdd</c>), so whichever of the two calls comes last wins the service. Called after
/// <c>UseKestrel()</c> (as with <c>WebApplication.CreateBuilder</c>), <c>AddOrthotopeMemoryPool</c> replaces it and
/// this setup has nothing to do. Called before, the container resolves Kestrel's factory; this post-configure step
/// then runs after every configure step of the transports' options, whatever the registration order, and points
/// them at the Orthotope factory through the options' internal setter.
/// </para>
/// <para>Thread-safe as the options system requires: it holds only the two factories, both thread-safe.</para>
/// </remarks>
internal sealed class TransportPoolFactorySetup :
    IPostConfigureOptions<SocketTransportOptions>,
    IPostConfigureOptions<NamedPipeTransportOptions>
{
    private readonly OrthotopeMemoryPoolFactory _orthotope;
    private readonly IMemoryPoolFactory<byte> _registered;

    public TransportPoolFactorySetup(OrthotopeMemoryPoolFactory orthotope, IMemoryPoolFactory<byte> registered)
    {
        _orthotope = orthotope;
        _registered = registered;
    }

    /// <summary>True when the container's <see cref="IMemoryPoolFactory{T}"/> is not the Orthotope factory.</summary>
    private bool Overridden => !ReferenceEquals(_registered, _orthotope);

    public void PostConfigure(string? name, SocketTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Overridden)
        {
            try
            {
                TransportPoolFactoryAccessors.SetMemoryPoolFactory(options, _orthotope);
            }
            catch (MissingMethodException e)
            {
                throw CannotOverride(nameof(SocketTransportOptions), e);
            }
        }
    }

    public void PostConfigure(string? name, NamedPipeTransportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Overridden)
        {
            try
            {
                TransportPoolFactoryAccessors.SetMemoryPoolFactory(options, _orthotope);
            }
            catch (MissingMethodException e)
            {
                throw CannotOverride(nameof(NamedPipeTransportOptions), e);
            }
        }
    }

    private InvalidOperationException CannotOverride(string optionsType, Exception inner) => new(
        $"AddOrthotopeMemoryPool() ran before UseKestrel(), which registered {_registered.GetType().FullName} as " +
        $"IMemoryPoolFactory<byte>, and this version of Kestrel no longer lets {optionsType} be pointed at " +
        "another factory. Call AddOrthotopeMemoryPool() after UseKestrel().",
        inner);
}
