using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Threading;

namespace Orthotope.Pooling.Tests;

/// <summary>
/// Fills a buffer with bytes derived from a ticket, and checks them: a block handed to two renters at once, or
/// memory shared between two blocks, shows up as a mismatch.
/// </summary>
public static class Patterns
{
    /// <summary>Bytes covered at each end of a large buffer (the middle is skipped to keep the tests quick).</summary>
    private const int EdgeBytes = 16 << 10;

    public static void Fill(Span<byte> buffer, long ticket)
    {
        if (buffer.Length >= 8)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, ticket);
        }

        for (int i = Math.Min(8, buffer.Length); i < buffer.Length; i = Next(i, buffer.Length))
        {
            buffer[i] = ByteAt(ticket, i);
        }
    }

    public static bool Check(ReadOnlySpan<byte> buffer, long ticket)
    {
        if (buffer.Length >= 8 && BinaryPrimitives.ReadInt64LittleEndian(buffer) != ticket)
        {
            return false;
        }

        for (int i = Math.Min(8, buffer.Length); i < buffer.Length; i = Next(i, buffer.Length))
        {
            if (buffer[i] != ByteAt(ticket, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Disposes the oldest owners in <paramref name="held"/> until at most <paramref name="keep"/> remain, checking each
    /// one's pattern first and counting mismatches into <paramref name="failures"/> (shared between threads).
    /// </summary>
    public static void DisposeDownTo(Queue<(IMemoryOwner<byte> Owner, long Ticket)> held, int keep, ref long failures)
    {
        while (held.Count > keep)
        {
            (IMemoryOwner<byte> owner, long ticket) = held.Dequeue();
            if (!Check(owner.Memory.Span, ticket))
            {
                Interlocked.Increment(ref failures);
            }

            owner.Dispose();
        }
    }

    private static int Next(int i, int length) =>
        length > 2 * EdgeBytes && i + 1 == EdgeBytes ? length - EdgeBytes : i + 1;

    private static byte ByteAt(long ticket, int index) => (byte)((ticket * 131) + (index * 7) + (index >> 8));
}
