using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.Linq;

namespace Orthotope.Pooling.Tests.Lifecycle;

[TestFixture]
public sealed class ObservabilityTests
{
    private static readonly string[] s_instruments =
    [
        "orthotope.pool.reserved", "orthotope.pool.rented", "orthotope.pool.rents", "orthotope.pool.cache_misses",
        "orthotope.pool.slabs.allocated", "orthotope.pool.slabs.released", "orthotope.pool.trimmed",
        "orthotope.pool.limit.rejections",
    ];

    [Test]
    public void The_meter_publishes_every_instrument_tagged_with_the_pool_name_and_they_move()
    {
        string name = "metrics-" + Guid.NewGuid().ToString("N");
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = name, MaxReservedBytes = 4 << 20, TrimInterval = TimeSpan.Zero });
        using var listener = new MeterListener();
        var latest = new Dictionary<string, long>();
        var published = new HashSet<string>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Orthotope.Pooling")
            {
                published.Add(instrument.Name);
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "pool.name" && (string?)tag.Value == name)
                {
                    latest[instrument.Name] = value;
                }
            }
        });
        listener.Start();

        listener.RecordObservableInstruments();
        Assert.That(published, Is.SupersetOf(s_instruments));
        Assert.That(latest["orthotope.pool.reserved"], Is.Zero);

        IMemoryOwner<byte> owner = pool.Rent(100_000);
        listener.RecordObservableInstruments();
        Assert.Multiple(() =>
        {
            Assert.That(latest["orthotope.pool.reserved"], Is.GreaterThan(0));
            Assert.That(latest["orthotope.pool.rented"], Is.EqualTo(owner.Memory.Length));
            Assert.That(latest["orthotope.pool.rents"], Is.EqualTo(1));
            Assert.That(latest["orthotope.pool.cache_misses"], Is.EqualTo(1));
            Assert.That(latest["orthotope.pool.slabs.allocated"], Is.EqualTo(1));
        });

        owner.Dispose();
        pool.Trim();
        Assert.That(() => pool.Rent(8 << 20), Throws.InstanceOf<OrthotopePoolExhaustedException>());
        listener.RecordObservableInstruments();
        Assert.Multiple(() =>
        {
            Assert.That(latest["orthotope.pool.rented"], Is.Zero);
            Assert.That(latest["orthotope.pool.slabs.released"], Is.EqualTo(1));
            Assert.That(latest["orthotope.pool.trimmed"], Is.GreaterThan(0));
            Assert.That(latest["orthotope.pool.limit.rejections"], Is.EqualTo(1));
        });
    }

    [Test]
    public void A_disposed_pool_leaves_the_meter()
    {
        string name = "gone-" + Guid.NewGuid().ToString("N");
        var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = name });
        pool.Dispose();
        using var listener = new MeterListener();
        bool seen = false;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Orthotope.Pooling")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
            seen |= tags.ToArray().Any(t => t.Key == "pool.name" && (string?)t.Value == name));
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.That(seen, Is.False);
    }

    [Test]
    public void The_event_source_reports_slabs_allocated_and_released_trims_and_the_limit()
    {
        string name = "events-" + Guid.NewGuid().ToString("N");
        using var listener = new PoolEventListener();
        using (var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = name, MaxReservedBytes = 1 << 20, TrimInterval = TimeSpan.Zero }))
        {
            pool.Rent(4096).Dispose();
            pool.Trim();
            Assert.That(() => pool.Rent(2 << 20), Throws.InstanceOf<OrthotopePoolExhaustedException>());
        }

        List<EventWrittenEventArgs> mine = listener.Events.Where(e => e.Payload?[0] as string == name).ToList();
        Assert.That(mine.Select(e => e.EventName), Is.SupersetOf(new[] { "SlabAllocated", "SlabsReleased", "Trimmed", "LimitReached" }));
        EventWrittenEventArgs released = mine.First(e => e.EventName == "SlabsReleased");
        Assert.That(released.Payload![1], Is.EqualTo(4096), "the block length of the class released");
        Assert.That(released.Payload[2], Is.GreaterThan(0), "slabs released");
        EventWrittenEventArgs limit = mine.First(e => e.EventName == "LimitReached");
        Assert.That(limit.Payload![1], Is.EqualTo(1L << 20));
        Assert.That(limit.Level, Is.EqualTo(EventLevel.Warning));
    }

    private sealed class PoolEventListener : EventListener
    {
        public ConcurrentQueue<EventWrittenEventArgs> Events { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Orthotope-Pooling")
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData) => Events.Enqueue(eventData);
    }
}
