namespace Orthotope.Pooling.Engine;

/// <summary>Why the engine trims; every reason but <see cref="Idle"/> is a full trim.</summary>
internal enum TrimReason
{
    /// <summary>A call to <c>Trim()</c>.</summary>
    Manual,

    /// <summary>The periodic timer, or a gen2 collection under medium memory load: release what sat unused for a period.</summary>
    Idle,

    /// <summary>A gen2 collection under high memory load.</summary>
    HighMemoryPressure,

    /// <summary>A rent found the pool at its reservation limit.</summary>
    Limit,
}
