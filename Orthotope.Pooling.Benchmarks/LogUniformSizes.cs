using System;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>Request sizes drawn log-uniformly between two bounds from a fixed seed, so every contender and every run sees the same sequence.</summary>
public static class LogUniformSizes
{
    /// <summary>The smallest size drawn: 64 bytes.</summary>
    public const int MinSize = 64;

    /// <summary>The largest size drawn: 1 MiB.</summary>
    public const int MaxSize = 1 << 20;

    /// <summary>The seed every workload uses.</summary>
    public const int Seed = 20251124;

    /// <summary>Returns <paramref name="count"/> sizes in [<see cref="MinSize"/>, <see cref="MaxSize"/>], log-uniform.</summary>
    public static int[] Create(int count, int seed = Seed)
    {
        var random = new Random(seed);
        double logMin = Math.Log(MinSize);
        double logMax = Math.Log(MaxSize);
        var sizes = new int[count];
        for (int i = 0; i < sizes.Length; i++)
        {
            double size = Math.Exp(logMin + (random.NextDouble() * (logMax - logMin)));
            sizes[i] = Math.Clamp((int)Math.Round(size), MinSize, MaxSize);
        }

        return sizes;
    }
}
