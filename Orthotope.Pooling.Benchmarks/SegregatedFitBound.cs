using System;
using System.Globalization;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// The least memory any allocator with a given set of size classes can hold for W2's ring if it never gives memory
/// back during the run and never hands a block of one class to a request of another: the sum over classes of the
/// most blocks of that class ever live at once. Orthotope's reserved bytes can only be above this; the gap is what
/// slab rounding and caching cost.
/// </summary>
internal static class SegregatedFitBound
{
    public static void Print(int[] sizes, int live, long peakRequested)
    {
        // Orthotope's classes: four per power of two, 64-byte aligned strides.
        long orthotope = Bound(sizes, live, static size =>
        {
            int index = SizeClassTable.GetIndex(size);
            return (index, SizeClassTable.AlignUp(SizeClassTable.LengthOf(index)));
        });

        // Power-of-two classes, as ArrayPool<byte>.Shared's buckets.
        long powersOfTwo = Bound(sizes, live, static size =>
        {
            int length = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)size));
            return (System.Numerics.BitOperations.Log2((uint)length), length);
        });

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  segregated-fit lower bound:   {Mib(orthotope)} MiB with Orthotope's classes (/ peak requested = {orthotope / (double)peakRequested:F2}), " +
            $"{Mib(powersOfTwo)} MiB with power-of-two classes ({powersOfTwo / (double)peakRequested:F2})"));
    }

    private static long Bound(int[] sizes, int live, Func<int, (int Class, long Bytes)> classify)
    {
        var current = new int[64];
        var peak = new int[64];
        var bytes = new long[64];
        var ring = new int[live];
        Array.Fill(ring, -1);
        for (int i = 0; i < sizes.Length; i++)
        {
            int slot = i % live;
            if (ring[slot] >= 0)
            {
                current[ring[slot]]--;
            }

            (int cls, long length) = classify(sizes[i]);
            ring[slot] = cls;
            bytes[cls] = length;
            peak[cls] = Math.Max(peak[cls], ++current[cls]);
        }

        long total = 0;
        for (int c = 0; c < peak.Length; c++)
        {
            total += peak[c] * bytes[c];
        }

        return total;
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture);
}
