using System;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Arrays;

/// <summary>
/// Makes the arrays above the largest size class, of exactly the requested length, and the arrays served unpooled
/// over the limit, for <see cref="OrthotopeArrayPool"/>.
/// </summary>
/// <remarks>Thread-safe: it keeps no state.</remarks>
internal sealed class LargeArraySource : LargeBlockSource<byte[]>
{
    public override long ReservedBytesFor(int length) => length;

    public override byte[] CreateLarge(int length) => GC.AllocateUninitializedArray<byte>(length);

    /// <remarks>
    /// A class-length array for a class rent, so that returning it is valid; the pool cannot tell it from its own
    /// when it comes back and keeps it like any returned array.
    /// </remarks>
    public override byte[] CreateUnpooled(int length) => GC.AllocateUninitializedArray<byte>(length);

    public override int LengthOf(byte[] block) => block.Length;

    public override long ReservedBytesOf(byte[] block) => block.Length;
}
