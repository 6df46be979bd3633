using System;
using System.Buffers;
using System.Linq;
using System.Net;
using System.Reflection;
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
/// By default the host is built but never started: only its service provider is needed. Kestrel evicts idle blocks
/// from its pools on the server's heartbeat, so a caller that wants that eviction (the timeline mode) asks for a
/// started host listening on a loopback port. The factory lives as long as the host, so this object keeps the host
/// and disposes it last. Kestrel's
/// blocks are 4096 bytes (<see cref="MemoryPool{T}.MaxBufferSize"/>); a larger rent throws, so callers that need
/// more fall back to <see cref="ArrayPool{T}.Shared"/> as <c>Pipe</c> does. Not thread-safe to create or dispose;
/// the pool itself is thread-safe.
/// </remarks>
public sealed class KestrelPool : IDisposable
{
    private readonly WebApplication _host;
    private readonly bool _started;

    private KestrelPool(WebApplication host, MemoryPool<byte> pool, bool started)
    {
        _host = host;
        Pool = pool;
        _started = started;
    }

    /// <summary>The pool, as Kestrel's transports and HTTP/2-3 layers get it from the factory.</summary>
    public MemoryPool<byte> Pool { get; }

    /// <summary>Builds a slim web host (Kestrel, logging off) and creates a pool from its factory.</summary>
    /// <param name="start">
    /// Start the server on 127.0.0.1 (an ephemeral port, no endpoints mapped) so that its heartbeat drives the
    /// factory's idle eviction; otherwise the host is only built.
    /// </param>
    public static KestrelPool Create(bool start = false)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        WebApplication host = builder.Build();
        if (start)
        {
            host.StartAsync().GetAwaiter().GetResult();
        }

        IMemoryPoolFactory<byte> factory = host.Services.GetRequiredService<IMemoryPoolFactory<byte>>();
        MemoryPool<byte> pool = factory.Create(new MemoryPoolOptions { Owner = "orthotope-benchmarks" });
        return new KestrelPool(host, pool, start);
    }

    /// <summary>
    /// Kestrel's internal <c>Microsoft.AspNetCore.PinnedBlockMemoryPool</c>, built directly (owner, no metrics, no
    /// logger) through reflection: the pool without what the factory adds around it.
    /// </summary>
    public static MemoryPool<byte> CreateBare()
    {
        Type type = typeof(IMemoryPoolFactory<byte>).Assembly.GetType("Microsoft.AspNetCore.PinnedBlockMemoryPool")
            ?? Type.GetType("Microsoft.AspNetCore.PinnedBlockMemoryPool, Microsoft.AspNetCore.Server.Kestrel.Core", throwOnError: true)!;
        ConstructorInfo constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Single(c => c.GetParameters().Length == 3);
        return (MemoryPool<byte>)constructor.Invoke(["orthotope-benchmarks-bare", null, null]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Pool.Dispose();
        if (_started)
        {
            _host.StopAsync().GetAwaiter().GetResult();
        }

        ((IDisposable)_host).Dispose();
    }
}
