namespace JsonOverSocket;

/// <summary>What the receiver saw: documents parsed, bytes read, and the first mismatch (null if every document checked out).</summary>
public readonly record struct ReceiveResult(long Documents, long Bytes, string? Failure);
