using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.AspNetCore.Tests;

/// <summary>Real HTTP/1.1 traffic over loopback through Kestrel's socket transport renting from Orthotope.</summary>
public sealed class KestrelEchoTests
{
    private const int Concurrency = 8;
    private const int MaxBodyLength = 1 << 20;

    [Test]
    public async Task Ten_thousand_echoes_come_back_intact_and_every_block_is_returned()
    {
        await RunEchoesAsync(RegistrationOrder.AfterUseKestrel, requestCount: 10_000, seed: 20261124);
    }

    [Test]
    public async Task The_transport_rents_from_Orthotope_when_UseKestrel_runs_after_the_registration()
    {
        await RunEchoesAsync(RegistrationOrder.BeforeUseKestrel, requestCount: 500, seed: 7);
    }

    private static async Task RunEchoesAsync(RegistrationOrder order, int requestCount, int seed)
    {
        EchoServer server = await EchoServer.StartAsync(order);
        await using (server)
        {
            OrthotopeMemoryPoolFactory factory = server.Factory;
            if (order == RegistrationOrder.BeforeUseKestrel)
            {
                // The hard case is only exercised if Kestrel's own factory won the DI registration.
                Assert.That(server.RegisteredFactory, Is.Not.SameAs(factory));
            }

            int mismatches = 0;
            long bytesEchoed = 0;
            using (var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, UseProxy = false })
            using (var client = new HttpClient(handler) { BaseAddress = server.BaseAddress, DefaultRequestVersion = HttpVersion.Version11 })
            {
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = Concurrency };
                await Parallel.ForEachAsync(Enumerable.Range(0, requestCount), parallel, async (index, cancellation) =>
                {
                    byte[] body = MakeBody(seed, index);
                    using var content = new ByteArrayContent(body);
                    using HttpResponseMessage response = await client.PostAsync(new Uri("/echo", UriKind.Relative), content, cancellation);
                    byte[] echoed = await response.Content.ReadAsByteArrayAsync(cancellation);
                    if (response.StatusCode != HttpStatusCode.OK || !echoed.AsSpan().SequenceEqual(body))
                    {
                        Interlocked.Increment(ref mismatches);
                    }

                    Interlocked.Add(ref bytesEchoed, echoed.Length);
                });
            }

            Assert.That(mismatches, Is.Zero, "responses that differ from their request body");
            TestContext.Out.WriteLine($"{requestCount} echoes, {bytesEchoed / 1024.0 / 1024.0:F1} MiB echoed");

            IReadOnlyList<OrthotopeMemoryPool> poolsWhileRunning = factory.Pools;
            Assert.That(poolsWhileRunning, Is.Not.Empty, "the transport created no Orthotope pool");
            Assert.That(poolsWhileRunning.Select(p => p.Name), Has.All.StartsWith(OrthotopeMemoryPoolFactory.DefaultNamePrefix + "/"));
            Assert.That(poolsWhileRunning.Sum(p => p.GetStatistics().Rents), Is.GreaterThan(0), "the transport rented nothing from Orthotope");

            await server.StopAsync();

            foreach (OrthotopeMemoryPool pool in poolsWhileRunning)
            {
                PoolStatistics statistics = pool.GetStatistics();
                TestContext.Out.WriteLine(statistics.ToDetailedString());
                Assert.That(statistics.OutstandingBlocks, Is.Zero, $"blocks not returned to {pool.Name}");
            }
        }

        Assert.That(() => server.Factory, Throws.TypeOf<ObjectDisposedException>(), "the host's container is disposed");
    }

    /// <summary>
    /// A deterministic body for request <paramref name="index"/>: mostly a few KiB, some tens of KiB, a few up to
    /// 1 MiB; request 0 is empty and request 1 is exactly 1 MiB.
    /// </summary>
    private static byte[] MakeBody(int seed, int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        int length = index switch
        {
            0 => 0,
            1 => MaxBodyLength,
            _ => random.Next(100) switch
            {
                < 80 => random.Next(0, 4097),
                < 98 => random.Next(4097, 64 << 10),
                _ => random.Next(64 << 10, MaxBodyLength + 1),
            },
        };

        byte[] body = new byte[length];
        random.NextBytes(body);
        return body;
    }
}
