using System.Runtime.InteropServices;

namespace Orthotope.Pooling.Tests.Tensors;

/// <summary>A 12-byte element, whose size does not divide 64: only the first element of a buffer is aligned.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Vec3
{
    public float X;
    public float Y;
    public float Z;

    public Vec3(float x, float y, float z)
    {
        X = x;
        Y = y;
        Z = z;
    }
}
