namespace Orthotope.Pooling.Engine;

/// <summary>
/// One element of a free-block stack. Wrapping the reference in a struct lets the hot path store into the array
/// without the covariance check that a store into a <c>TBlock[]</c> needs when <c>TBlock</c> is generic.
/// </summary>
internal struct BlockSlot<TBlock>
    where TBlock : class
{
    public TBlock? Block;
}
