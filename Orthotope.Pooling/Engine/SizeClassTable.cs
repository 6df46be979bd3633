using System;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Orthotope.Pooling.Engine;

/// <summary>
/// The fixed size classes: 64 bytes, then four classes per power of two (2^k × 1.25, 1.5, 1.75, 2), up to the
/// largest class. Rounding a request up to its class wastes under 25% of the request in the worst case and about
/// 10% on average over a log-uniform mix.
/// </summary>
/// <remarks>
/// <para>
/// Every block starts on a 64-byte boundary, so a block's footprint in its slab (its <em>stride</em>) is its length
/// rounded up to 64. From 256 bytes upward every class length is already a multiple of 64; below that the stride
/// is larger than the length (the 80-, 96- and 112-byte classes occupy 128 bytes).
/// </para>
/// <para>Immutable after construction; safe to share between threads.</para>
/// </remarks>
internal sealed class SizeClassTable
{
    /// <summary>The smallest block length, and the block alignment.</summary>
    public const int MinBlockLength = 64;

    /// <summary>log2 of <see cref="MinBlockLength"/>.</summary>
    private const int MinShift = 6;

    /// <summary>Block alignment, in bytes.</summary>
    public const int Alignment = 64;

    private readonly int[] _lengths;

    public SizeClassTable(int largestClassAtLeast)
    {
        Debug.Assert(largestClassAtLeast >= MinBlockLength);
        int count = GetIndex(largestClassAtLeast) + 1;
        _lengths = new int[count];
        for (int i = 0; i < count; i++)
        {
            _lengths[i] = LengthOf(i);
        }

        LargestLength = _lengths[count - 1];
    }

    /// <summary>The number of classes.</summary>
    public int Count => _lengths.Length;

    /// <summary>The length of the largest class; requests above it take the large path.</summary>
    public int LargestLength { get; }

    /// <summary>The usable length of the blocks of class <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetLength(int index) => _lengths[index];

    /// <summary>The footprint of one block of class <paramref name="index"/> in its slab: its length rounded up to 64.</summary>
    public int GetStride(int index) => AlignUp(_lengths[index]);

    /// <summary>
    /// The class that serves a request of <paramref name="size"/> bytes (0 and below map to the smallest class).
    /// No loop and no division: a leading-zero count and two shifts.
    /// </summary>
    /// <remarks>The caller ensures <paramref name="size"/> is at most the largest class; the result is then in range.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetIndex(int size)
    {
        if (size <= MinBlockLength)
        {
            return 0;
        }

        // For size in (2^k, 2^(k+1)], t = size - 1 lies in [2^k, 2^(k+1)), so k = log2(t), and the two bits below
        // the top one pick which quarter of the doubling the request falls in.
        uint t = (uint)size - 1;
        int k = BitOperations.Log2(t);
        int quarter = (int)(t >> (k - 2)) & 3;
        return ((k - MinShift) << 2) + quarter + 1;
    }

    /// <summary>The length of class <paramref name="index"/>, computed (the inverse of <see cref="GetIndex"/>).</summary>
    public static int LengthOf(int index)
    {
        if (index == 0)
        {
            return MinBlockLength;
        }

        int k = ((index - 1) >> 2) + MinShift;
        int quarter = (index - 1) & 3;
        return (1 << k) + ((quarter + 1) << (k - 2));
    }

    /// <summary>Returns the class whose length is exactly <paramref name="length"/>, or -1 if none is.</summary>
    /// <remarks>The array pool's return path: one unsigned compare, one table lookup.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOfExactLength(int length)
    {
        // One unsigned compare sends zero, negatives and lengths above the largest class to -1.
        if ((uint)(length - 1) >= (uint)LargestLength)
        {
            return -1;
        }

        int index = GetIndex(length);
        return _lengths[index] == length ? index : -1;
    }

    /// <summary>Rounds <paramref name="value"/> up to a multiple of <see cref="Alignment"/>.</summary>
    public static int AlignUp(int value) => (value + (Alignment - 1)) & ~(Alignment - 1);

    /// <summary>Rounds <paramref name="value"/> up to a multiple of <see cref="Alignment"/>.</summary>
    public static long AlignUp(long value) => (value + (Alignment - 1)) & ~(long)(Alignment - 1);

    public override string ToString() => $"{Count} classes, {MinBlockLength}..{LargestLength} bytes";
}
