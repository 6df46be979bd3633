using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Memory;

/// <summary>Pinned arrays and the 64-byte aligned start inside them, for slabs and large blocks alike.</summary>
internal static class PinnedArrays
{
    /// <summary>Padding added to each array so that a 64-byte boundary falls inside it.</summary>
    public const int AlignmentPad = SizeClassTable.Alignment - 1;

    /// <summary>The first 64-byte aligned offset in a pinned array, and its address.</summary>
    public static unsafe (int Offset, nint Address) AlignedStart(byte[] array)
    {
        // Safe: the array was allocated on the pinned object heap, so its address is fixed for its lifetime.
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int offset = (int)(-start & (SizeClassTable.Alignment - 1));
        return (offset, start + offset);
    }
}
