using System;
using System.Diagnostics.CodeAnalysis;

namespace Orthotope.Pooling;

/// <summary>Cold throw sites, kept out of the hot paths so those stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowObjectDisposed(string typeName) => throw new ObjectDisposedException(typeName);

    [DoesNotReturn]
    public static void ThrowBlockDisposed() =>
        throw new ObjectDisposedException("IMemoryOwner<byte>", "This block has been disposed and returned to its pool.");

    [DoesNotReturn]
    public static void ThrowRentSizeOutOfRange(string paramName, int value, int maxBufferSize) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"The requested size must be -1 (the default size) or between 0 and MaxBufferSize ({maxBufferSize}).");

    [DoesNotReturn]
    public static void ThrowBlockLengthOutOfRange(string paramName, long value, int maxBufferSize) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"The block length must be between 0 and MaxBufferSize ({maxBufferSize}) bytes.");

    [DoesNotReturn]
    public static void ThrowTypedRentSizeOutOfRange(string paramName, int value, int maxBufferSize, int elementSize) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"The requested element count must be -1 (the default size) or between 0 and MaxBufferSize ({maxBufferSize} elements of {elementSize} bytes).");

    [DoesNotReturn]
    public static void ThrowTypedBlockDisposed(string typeName) =>
        throw new ObjectDisposedException(typeName, "This owner has been disposed and its block returned to its pool.");

    [DoesNotReturn]
    public static void ThrowArrayRentSizeOutOfRange(string paramName, int value, int maxBufferSize) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"The requested length must be between 0 and {maxBufferSize}.");

    [DoesNotReturn]
    public static void ThrowPinIndexOutOfRange(int elementIndex, int length) =>
        throw new ArgumentOutOfRangeException(
            nameof(elementIndex),
            elementIndex,
            $"The element index must be between 0 and the block's length ({length}).");

    [DoesNotReturn]
    public static void ThrowArrayNotFromPool(string paramName, int length) =>
        throw new ArgumentException(
            $"An array of length {length} cannot have come from this pool: its length is not one of the pool's size classes.",
            paramName);

    [DoesNotReturn]
    public static void ThrowOptionOutOfRange(string option, long value, string requirement) =>
        throw new ArgumentOutOfRangeException(option, value, $"OrthotopePoolOptions.{option} {requirement}");

    [DoesNotReturn]
    public static void ThrowOption(string option, string message) =>
        throw new ArgumentException($"OrthotopePoolOptions.{option}: {message}", option);

    [DoesNotReturn]
    public static void ThrowSizeHintOutOfRange(string paramName, int value, int maxBufferSize) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"The size hint must be between 0 and the pool's MaxBufferSize ({maxBufferSize}).");

    [DoesNotReturn]
    public static void ThrowAdvancedTooFar(int count, int free) =>
        throw new InvalidOperationException(
            $"Cannot advance {count} bytes past the end of the buffer last returned by GetMemory or GetSpan, which had {free} bytes free.");

    [DoesNotReturn]
    public static void ThrowDestinationTooShort(string paramName, int length, long written) =>
        throw new ArgumentException(
            $"The destination is {length} bytes long, shorter than the {written} bytes written.", paramName);

    [DoesNotReturn]
    public static void ThrowTooLargeForArray(long written) =>
        throw new InvalidOperationException(
            $"{written} bytes have been written, more than one array can hold ({Array.MaxLength}); read them through WrittenSequence.");

    [DoesNotReturn]
    public static void ThrowFlushCanceled() =>
        throw new OperationCanceledException("The PipeWriter's flush was canceled (CancelPendingFlush).");
}
