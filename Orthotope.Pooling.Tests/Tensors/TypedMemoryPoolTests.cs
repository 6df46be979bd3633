using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Orthotope.Pooling.Tests.Tensors;

/// <summary>What the typed pool promises beyond the per-type contract: Shared, limits, casts.</summary>
[TestFixture]
public sealed class TypedMemoryPoolTests
{
    [Test]
    public void The_constructor_refuses_a_null_byte_pool()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => _ = new OrthotopeMemoryPool<float>(null!));
        Assert.That(ex!.ParamName, Is.EqualTo("bytes"));
    }

    [Test]
    public void Shared_sits_on_the_shared_byte_pool_and_survives_dispose()
    {
        OrthotopeMemoryPool<float> shared = OrthotopeMemoryPool<float>.Shared;
        shared.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(OrthotopeMemoryPool<float>.Shared, Is.SameAs(shared));
            Assert.That(shared.BytePool, Is.SameAs(OrthotopeMemoryPool.Shared));
            Assert.That(OrthotopeMemoryPool<double>.Shared.BytePool, Is.SameAs(OrthotopeMemoryPool.Shared));
        });
        using IMemoryOwner<float> owner = shared.Rent(1234);
        Assert.That(owner.Memory.Length, Is.EqualTo(1234));
    }

    [Test]
    public void Disposing_the_typed_pool_does_not_dispose_the_byte_pool()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "kept" });
        new OrthotopeMemoryPool<float>(bytes).Dispose();
        using IMemoryOwner<byte> owner = bytes.Rent(100);
        Assert.That(owner.Memory.Length, Is.GreaterThanOrEqualTo(100));
    }

    [Test]
    public void The_byte_pools_reservation_limit_applies_to_typed_rents()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "capped", MaxReservedBytes = 4 << 20 });
        using var pool = new OrthotopeMemoryPool<float>(bytes);
        using IMemoryOwner<float> first = pool.Rent(768 * 1024);

        Assert.That(() => pool.Rent(768 * 1024), Throws.TypeOf<OrthotopePoolExhaustedException>());
        Assert.That(bytes.GetStatistics().LimitRejections, Is.EqualTo(1));
        Assert.That(bytes.GetStatistics().OutstandingBlocks, Is.EqualTo(1), "a refused rent holds nothing");
    }

    [Test]
    public void Over_the_limit_with_AllocateUnpooled_a_typed_rent_is_served_unpooled_and_accounted_for()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions
        {
            Name = "unpooled",
            MaxReservedBytes = 4 << 20,
            LimitBehavior = OrthotopeLimitBehavior.AllocateUnpooled,
        });
        using var pool = new OrthotopeMemoryPool<float>(bytes);
        IMemoryOwner<float> first = pool.Rent(768 * 1024), second = pool.Rent(768 * 1024);
        Assert.That(second.Memory.Length, Is.EqualTo(768 * 1024));
        Assert.That(bytes.GetStatistics().UnpooledRents, Is.EqualTo(1));
        first.Dispose();
        second.Dispose();
        Assert.That(bytes.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [Test]
    public void Typed_pools_of_different_element_types_share_one_byte_pool()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "shared-blocks" });
        using var floats = new OrthotopeMemoryPool<float>(bytes);
        using var doubles = new OrthotopeMemoryPool<double>(bytes);
        using (floats.Rent(1024))
        using (doubles.Rent(512))
        using (bytes.Rent(4096))
        {
            Assert.That(bytes.GetStatistics().OutstandingBlocks, Is.EqualTo(3));
            Assert.That(bytes.GetStatistics().SizeClasses[SizeClassOf(4096)].OutstandingBlocks, Is.EqualTo(3));
        }

        Assert.That(bytes.GetStatistics().OutstandingBlocks, Is.Zero);
        Assert.That(bytes.GetStatistics().Rents, Is.EqualTo(3));
    }

    [Test]
    public void MemoryMarshal_Cast_round_trips_through_the_typed_memory()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "casts" });
        using var floats = new OrthotopeMemoryPool<float>(bytes);
        using IMemoryOwner<float> owner = floats.Rent(1001);
        Span<float> values = owner.Memory.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i * 0.5f;
        }

        Span<byte> raw = MemoryMarshal.AsBytes(values);
        Span<int> bits = MemoryMarshal.Cast<float, int>(values);
        Span<Vector4> quads = MemoryMarshal.Cast<float, Vector4>(values);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(raw.Length, Is.EqualTo(1001 * sizeof(float)));
            Assert.That(bits[10], Is.EqualTo(BitConverter.SingleToInt32Bits(5f)));
            Assert.That(quads.Length, Is.EqualTo(250), "whole Vector4s only");
            Assert.That(quads[3], Is.EqualTo(new Vector4(6f, 6.5f, 7f, 7.5f)));
        }

        // Write through the other views and read back through the typed one.
        MemoryMarshal.Cast<byte, float>(raw)[1000] = -1f;
        quads[0] = new Vector4(9f);
        bits[4] = BitConverter.SingleToInt32Bits(42f);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(values[1000], Is.EqualTo(-1f));
            Assert.That(values[..4].ToArray(), Is.EqualTo(new[] { 9f, 9f, 9f, 9f }));
            Assert.That(values[4], Is.EqualTo(42f));
            Assert.That(MemoryMarshal.Cast<float, byte>(values).SequenceEqual(raw), Is.True);
        }
    }

    [Test]
    public unsafe void A_twelve_byte_element_is_aligned_at_the_start_and_packed_after()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "vec3" });
        using var pool = new OrthotopeMemoryPool<Vec3>(bytes);
        using IMemoryOwner<Vec3> owner = pool.Rent(100);
        Span<Vec3> points = owner.Memory.Span;
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = new Vec3(i, i + 1, i + 2);
        }

        Span<float> coordinates = MemoryMarshal.Cast<Vec3, float>(points);
        using MemoryHandle first = owner.Memory.Pin();
        using MemoryHandle fifth = owner.Memory[5..].Pin();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(coordinates.Length, Is.EqualTo(300));
            Assert.That(coordinates[3 * 42 + 2], Is.EqualTo(44f));
            Assert.That((long)first.Pointer & 63, Is.Zero, "the block's start is aligned");
            Assert.That((long)fifth.Pointer - (long)first.Pointer, Is.EqualTo(60L), "elements are packed, 12 bytes apart");
        }
    }

    [Test]
    public unsafe void Vector_elements_get_aligned_loads()
    {
        using var bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "vectors" });
        using var pool = new OrthotopeMemoryPool<Vector256<float>>(bytes);
        using IMemoryOwner<Vector256<float>> owner = pool.Rent(64);
        owner.Memory.Span.Fill(Vector256.Create(3f));
        using MemoryHandle pin = owner.Memory.Pin();
        var address = (float*)pin.Pointer;

        // LoadAligned faults on a misaligned address, so this checks the alignment the hard way.
        Assert.That(Vector256.LoadAligned(address + 8).GetElement(0), Is.EqualTo(3f));
        Assert.That(owner.Memory.Length, Is.EqualTo(64));
    }

    private static int SizeClassOf(int bytes) => Pooling.Engine.SizeClassTable.GetIndex(bytes);
}
