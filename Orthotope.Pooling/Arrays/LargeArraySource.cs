using System;
using System.Runtime.CompilerServices;
using Orthotope.Pooling.Engine;

namespace Orthotope.Pooling.Arrays;

/// <summary>
/// Makes the arrays above the largest size class, of exactly the requested length, and the arrays served unpooled
/// over the limit, for <see cref="OrthotopeArrayPool"/>; recognises the unpooled ones when they come back.
/// </summary>
/// <remarks>
/// An unpooled array must be told apart from the pool's own when it is returned, without a lookup on the return fast
/// path: one served for a size class is one byte longer than the class (a length no class has, so its return takes
/// the uncommon path), and every unpooled array is remembered, weakly, until it comes back. Thread-safe: the table is
/// a <see cref="ConditionalWeakTable{TKey, TValue}"/>.
/// </remarks>
internal sealed class LargeArraySource : LargeBlockSource<byte[]>
{
    private static readonly object s_unpooled = new();

    private readonly SizeClassTable _classes;

    /// <summary>Unpooled arrays not yet returned, held weakly: one that is never returned is simply collected.</summary>
    private readonly ConditionalWeakTable<byte[], object> _unpooled = [];

    /// <summary>Whether any array was ever served unpooled, so returns skip the table lookup until one was.</summary>
    private volatile bool _anyUnpooled;

    public LargeArraySource(SizeClassTable classes) => _classes = classes;

    public override long ReservedBytesFor(int length) => length;

    public override byte[] CreateLarge(int length) => GC.AllocateUninitializedArray<byte>(length);

    /// <remarks>For a size class's length, an array one byte longer, so that it cannot pass for a pooled array.</remarks>
    public override byte[] CreateUnpooled(int length)
    {
        byte[] array = GC.AllocateUninitializedArray<byte>(_classes.IndexOfExactLength(length) >= 0 ? length + 1 : length);
        _unpooled.AddOrUpdate(array, s_unpooled);
        _anyUnpooled = true;
        return array;
    }

    /// <summary>Whether <paramref name="array"/> was served unpooled and not yet returned; forgets it if so.</summary>
    public bool TryForgetUnpooled(byte[] array) => _anyUnpooled && _unpooled.Remove(array);

    public override int LengthOf(byte[] block) => block.Length;

    public override long ReservedBytesOf(byte[] block) => block.Length;
}
