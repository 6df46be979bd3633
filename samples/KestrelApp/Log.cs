using Microsoft.Extensions.Logging;

namespace KestrelApp;

/// <summary>The sample's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "KestrelApp ({PoolMode} pool) listening on http://127.0.0.1:{Port}, pid {ProcessId}")]
    public static partial void Started(ILogger logger, string poolMode, int port, int processId);

    [LoggerMessage(2, LogLevel.Information, "{Phase}: GC.GetTotalMemory {TotalMemory} B, GC heap {HeapSize} B, GC committed {Committed} B, working set {WorkingSet} B, peak working set {PeakWorkingSet} B")]
    public static partial void Memory(ILogger logger, string phase, long totalMemory, long heapSize, long committed, long workingSet, long peakWorkingSet);

    [LoggerMessage(3, LogLevel.Information, "{Phase}: {Statistics}")]
    public static partial void Pool(ILogger logger, string phase, string statistics);

    [LoggerMessage(4, LogLevel.Information, "{Phase}: Kestrel's default pool is in use; it exposes no statistics")]
    public static partial void DefaultPool(ILogger logger, string phase);
}
