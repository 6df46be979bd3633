using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;

namespace Orthotope.Pooling.Tests.Lifecycle;

/// <summary>
/// Once <c>Dispose()</c> has returned, every rent throws <see cref="ObjectDisposedException"/>, on every thread and
/// every path (thread caches, central lists, the large path), and blocks disposed later are accepted quietly.
/// </summary>
[TestFixture]
public sealed class DisposeRaceTests
{
    private const int Rounds = 60;
    private const int Renters = 3;

    [TestCase("default")]
    [TestCase("no-thread-cache")]
    [TestCase("tiny")]
    [CancelAfter(120_000)]
    public void No_rent_succeeds_after_Dispose_has_returned(string configuration)
    {
        long violations = 0, served = 0, refused = 0, failures = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var pool = new OrthotopeMemoryPool(PoolConfigurations.Create(configuration));
            int disposed = 0;
            using var started = new CountdownEvent(Renters);
            var threads = new Thread[Renters];
            var leftovers = new List<IMemoryOwner<byte>>[Renters];
            for (int t = 0; t < Renters; t++)
            {
                int id = t;
                leftovers[id] = [];
                threads[t] = new Thread(() =>
                {
                    var random = new Random((round * Renters) + id);
                    started.Signal();
                    for (int i = 0; i < 4000; i++)
                    {
                        // Read before the rent starts: a rent that starts after Dispose returned must throw.
                        bool afterDispose = Volatile.Read(ref disposed) != 0;
                        try
                        {
                            IMemoryOwner<byte> owner = pool.Rent(random.Next(10) == 0 ? 2 << 20 : random.Next(1, 20_000));
                            Interlocked.Increment(ref served);
                            if (afterDispose)
                            {
                                Interlocked.Increment(ref violations);
                            }

                            Patterns.Fill(owner.Memory.Span, i);
                            if (!Patterns.Check(owner.Memory.Span, i))
                            {
                                Interlocked.Increment(ref failures);
                            }

                            // Keep some past the disposal: disposing them afterwards must be quiet.
                            if (random.Next(4) == 0)
                            {
                                leftovers[id].Add(owner);
                            }
                            else
                            {
                                owner.Dispose();
                            }
                        }
                        catch (ObjectDisposedException)
                        {
                            Interlocked.Increment(ref refused);
                            if (afterDispose)
                            {
                                return;
                            }
                        }
                    }
                });
                threads[t].Start();
            }

            started.Wait();
            Thread.Sleep(round % 3);
            pool.Dispose();
            Volatile.Write(ref disposed, 1);
            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            foreach (List<IMemoryOwner<byte>> kept in leftovers)
            {
                kept.ForEach(o => o.Dispose());
            }

            Assert.That(pool.GetStatistics().OutstandingBlocks, Is.Zero, $"round {round}: every block came back");
        }

        TestContext.Out.WriteLine($"{served} served, {refused} refused");
        Assert.That(violations, Is.Zero, "rents that started after Dispose returned and still succeeded");
        Assert.That(failures, Is.Zero);
        Assert.That(refused, Is.GreaterThan(0));
    }
}
