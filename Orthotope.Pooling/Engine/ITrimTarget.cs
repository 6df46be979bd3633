namespace Orthotope.Pooling.Engine;

/// <summary>What <see cref="TrimScheduler"/> calls on an engine; non-generic so one scheduler type serves all engines.</summary>
internal interface ITrimTarget
{
    /// <summary>The periodic idle trim.</summary>
    long TrimIdle();

    /// <summary>A trim sized to the memory load (used ÷ the GC's high-load threshold).</summary>
    long OnMemoryPressure(double load);
}
