using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orthotope.Pooling.Memory;

namespace Orthotope.Pooling.Tests.Tensors;

/// <summary>
/// Every element count from 0 to 100,000, for element types of 1, 4, 8 and 12 bytes: the exact length, a 64-byte
/// aligned start, a block that holds every element, and the last element writable.
/// </summary>
[TestFixture(typeof(byte))]
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
[TestFixture(typeof(Vec3))]
public sealed class TypedLengthSweepTests<T>
    where T : unmanaged
{
    private const int MaxCount = 100_000;

    [Test]
    public unsafe void Every_count_from_0_to_100000_has_exactly_that_length_on_a_64_byte_boundary()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "sweep" });
        using var pool = new OrthotopeMemoryPool<T>(bytes);
        int wrongLength = 0, misaligned = 0, pinElsewhere = 0, blockTooSmall = 0, lastNotWritten = 0;
        int firstBad = -1;
        for (int count = 0; count <= MaxCount; count++)
        {
            IMemoryOwner<T> owner = pool.Rent(count);
            Memory<T> memory = owner.Memory;
            Span<T> span = memory.Span;
            bool bad = false;
            if (memory.Length != count || span.Length != count)
            {
                wrongLength++;
                bad = true;
            }

            using (MemoryHandle pin = memory.Pin())
            {
                if (((nint)pin.Pointer & 63) != 0)
                {
                    misaligned++;
                    bad = true;
                }

                if (pin.Pointer != Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)))
                {
                    pinElsewhere++;
                    bad = true;
                }
            }

            if (((TypedMemoryOwner<T>)owner).Block.Length < (long)count * sizeof(T))
            {
                blockTooSmall++;
                bad = true;
            }

            if (count > 0)
            {
                Span<byte> last = MemoryMarshal.AsBytes(span[^1..]);
                last.Fill((byte)count);
                if (MemoryMarshal.AsBytes(memory.Span)[^1] != (byte)count)
                {
                    lastNotWritten++;
                    bad = true;
                }
            }

            if (bad && firstBad < 0)
            {
                firstBad = count;
            }

            owner.Dispose();
        }

        Assert.Multiple(() =>
        {
            Assert.That(firstBad, Is.EqualTo(-1), "first count that failed");
            Assert.That(wrongLength, Is.Zero, "Memory.Length is the count");
            Assert.That(misaligned, Is.Zero, "64-byte aligned");
            Assert.That(pinElsewhere, Is.Zero, "Pin points at the span");
            Assert.That(blockTooSmall, Is.Zero, "the block holds every element");
            Assert.That(lastNotWritten, Is.Zero, "the last element is writable");
            Assert.That(bytes.GetStatistics().OutstandingBlocks, Is.Zero, "every block back");
            Assert.That(bytes.GetStatistics().Rents, Is.EqualTo(MaxCount + 1));
        });
    }
}
