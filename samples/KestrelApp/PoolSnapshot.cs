namespace KestrelApp;

/// <summary>One Orthotope pool in <c>GET /stats</c>.</summary>
internal sealed record PoolSnapshot(string Name, long ReservedBytes, long OutstandingBlocks, long Rents, long Refills, int Slabs);
