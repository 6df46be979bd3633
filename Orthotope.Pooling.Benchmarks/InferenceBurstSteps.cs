using System;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W8's steps, precomputed from a fixed seed: per step, 8 to 64 buffers of 6 KiB to 4 MiB each (log-uniform), as
/// element counts of <see cref="float"/>.
/// </summary>
/// <remarks>A step stands for one inference request: its activation buffers are rented, written and released together.</remarks>
public static class InferenceBurstSteps
{
    /// <summary>The smallest buffer: 6 KiB.</summary>
    public const int MinBytes = 6 << 10;

    /// <summary>The largest buffer: 4 MiB.</summary>
    public const int MaxBytes = 4 << 20;

    /// <summary>The fewest buffers in a step.</summary>
    public const int MinBuffers = 8;

    /// <summary>The most buffers in a step.</summary>
    public const int MaxBuffers = 64;

    /// <summary>Floats written per buffer: one in every 4 KiB page.</summary>
    public const int Stride = 4096 / sizeof(float);

    /// <summary>Returns <paramref name="steps"/> steps, each an array of float counts.</summary>
    public static int[][] Create(int steps, int seed = LogUniformSizes.Seed)
    {
        var random = new Random(seed);
        double logMin = Math.Log(MinBytes), logMax = Math.Log(MaxBytes);
        var result = new int[steps][];
        for (int s = 0; s < steps; s++)
        {
            var counts = new int[random.Next(MinBuffers, MaxBuffers + 1)];
            for (int i = 0; i < counts.Length; i++)
            {
                double bytes = Math.Exp(logMin + (random.NextDouble() * (logMax - logMin)));
                counts[i] = Math.Clamp((int)Math.Round(bytes), MinBytes, MaxBytes) / sizeof(float);
            }

            result[s] = counts;
        }

        return result;
    }

    /// <summary>Writes one element in every 4 KiB page of <paramref name="buffer"/>, and its last element.</summary>
    public static void Touch(Span<float> buffer, float value)
    {
        for (int i = 0; i < buffer.Length; i += Stride)
        {
            buffer[i] = value;
        }

        buffer[^1] = value;
    }

    /// <summary>The bytes a step asks for.</summary>
    public static long RequestedBytes(int[] step)
    {
        ArgumentNullException.ThrowIfNull(step);
        long bytes = 0;
        foreach (int count in step)
        {
            bytes += (long)count * sizeof(float);
        }

        return bytes;
    }
}
