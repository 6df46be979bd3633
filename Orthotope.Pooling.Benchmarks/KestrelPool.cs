using System;
using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// Kestrel's pinned block pool, obtained the way Kestrel obtains it: from the <see cref="IMemoryPoolFactory{T}"/>
/// that <c>UseKestrel</c> registers in a host's service provider.
/// </summary>
/// <remarks>
/// The host is built but never started: only its service provider is needed. The factory, and through it the
/// pool's idle eviction, live as long as the host, so this object keeps the host and disposes it last. Kestrel's
/// blocks are 4096 bytes (<see cref="MemoryPool{T}.MaxBufferSize"/>); a larger rent throws, so callers that need
/// more fall back to <see cref="ArrayPool{T}.Shared"/> as <c>Pipe</c> does. Not thread-safe to create or dispose;
/// the pool itself is thread-safe.
/// </remarks>
public sealed class KestrelPool : IDisposable
{
    private readonly WebApplication _host;

    private KestrelPool(WebApplication host, MemoryPool<byte> pool)
    {
        _host = host;
        Pool = pool;
    }

    /// <summary>The pool, as Kestrel's transports and HTTP/2-3 layers get it from the factory.</summary>
    public MemoryPool<byte> Pool { get; }

    /// <summary>Builds a slim web host (Kestrel, no endpoints, logging off) and creates a pool from its factory.</summary>
    public static KestrelPool Create()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel();
        WebApplication host = builder.Build();
        IMemoryPoolFactory<byte> factory = host.Services.GetRequiredService<IMemoryPoolFactory<byte>>();
        MemoryPool<byte> pool = factory.Create(new MemoryPoolOptions { Owner = "orthotope-benchmarks" });
        return new KestrelPool(host, pool);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Pool.Dispose();
        ((IDisposable)_host).Dispose();
    }
}
