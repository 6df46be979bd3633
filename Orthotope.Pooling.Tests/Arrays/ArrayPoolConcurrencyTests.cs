using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Arrays;

[TestFixtureSource(typeof(PoolConfigurations), nameof(PoolConfigurations.All))]
public sealed class ArrayPoolConcurrencyTests
{
    private readonly string _configuration;

    public ArrayPoolConcurrencyTests(string configuration)
    {
        _configuration = configuration;
    }

    /// <summary>
    /// Threads rent, write a pattern, and return on their own thread or hand the array to another through a queue.
    /// A registry of arrays currently held proves no array is ever held by two renters at once.
    /// </summary>
    [Test]
    public void No_array_is_ever_held_by_two_renters_at_once()
    {
        var pool = new OrthotopeArrayPool(PoolConfigurations.Create(_configuration));
        int threads = Math.Max(4, 2 * Environment.ProcessorCount);
        var held = new ConcurrentDictionary<byte[], long>(ReferenceEqualityComparer.Instance);
        var handoff = new ConcurrentQueue<(byte[] Array, long Ticket)>();
        long tickets = 0, doubleRents = 0, corrupted = 0;
        int maxLength = pool.Options.LargestSizeClass + 100_000;

        void CheckAndReturn(byte[] array, long ticket)
        {
            if (!Patterns.Check(array, ticket))
            {
                Interlocked.Increment(ref corrupted);
            }

            held.TryRemove(array, out _);
            pool.Return(array);
        }

        Task[] workers = Enumerable.Range(0, threads).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            var mine = new Stack<(byte[], long)>();
            for (int i = 0; i < 8_000; i++)
            {
                byte[] array = pool.Rent((int)Math.Exp(random.NextDouble() * Math.Log(maxLength)));
                long ticket = Interlocked.Increment(ref tickets);
                if (!held.TryAdd(array, ticket))
                {
                    Interlocked.Increment(ref doubleRents);
                    continue;
                }

                Patterns.Fill(array, ticket);
                switch (random.Next(3))
                {
                    case 0:
                        handoff.Enqueue((array, ticket));
                        break;
                    case 1:
                        mine.Push((array, ticket));
                        break;
                    default:
                        CheckAndReturn(array, ticket);
                        break;
                }

                // Bursts: return everything this thread holds now and then.
                if (mine.Count > random.Next(1, 64))
                {
                    while (mine.TryPop(out var own))
                    {
                        CheckAndReturn(own.Item1, own.Item2);
                    }
                }

                if (handoff.TryDequeue(out var other))
                {
                    CheckAndReturn(other.Array, other.Ticket);
                }
            }

            while (mine.TryPop(out var own))
            {
                CheckAndReturn(own.Item1, own.Item2);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);
        while (handoff.TryDequeue(out var rest))
        {
            CheckAndReturn(rest.Array, rest.Ticket);
        }

        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine(stats.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(doubleRents, Is.Zero, "an array held by two renters at once");
            Assert.That(corrupted, Is.Zero);
            Assert.That(held, Is.Empty);
            Assert.That(stats.OutstandingBlocks, Is.Zero);
        });
    }
}
