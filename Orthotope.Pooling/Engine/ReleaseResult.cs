namespace Orthotope.Pooling.Engine;

/// <summary>What a <see cref="BlockSource{TBlock}.ReleaseFree"/> call gave back to the runtime.</summary>
internal readonly record struct ReleaseResult(int RemainingBlocks, int ReleasedBlocks, int ReleasedSlabs, long ReleasedBytes);
