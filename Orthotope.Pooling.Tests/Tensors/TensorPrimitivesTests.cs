using System;
using System.Buffers;
using System.Numerics.Tensors;

namespace Orthotope.Pooling.Tests.Tensors;

/// <summary>System.Numerics.Tensors over rented spans, checked against plain loops.</summary>
[TestFixture]
public sealed class TensorPrimitivesTests
{
    private OrthotopeMemoryPool _bytes = null!;

    [SetUp]
    public void SetUp() => _bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "tensors" });

    [TearDown]
    public void TearDown() => _bytes.Dispose();

    [TestCase(1)]
    [TestCase(17)]
    [TestCase(1000)]
    [TestCase(65_537)]
    [TestCase(300_000)]
    public void Elementwise_operations_and_reductions_match_a_scalar_loop(int count)
    {
        using var pool = new OrthotopeMemoryPool<float>(_bytes);
        using IMemoryOwner<float> a = pool.Rent(count), b = pool.Rent(count), c = pool.Rent(count), result = pool.Rent(count);
        Span<float> x = a.Memory.Span, y = b.Memory.Span, z = c.Memory.Span, r = result.Memory.Span;
        var random = new Random(count);
        for (int i = 0; i < count; i++)
        {
            x[i] = (float)(random.NextDouble() - 0.5);
            y[i] = (float)(random.NextDouble() - 0.5);
            z[i] = (float)(random.NextDouble() - 0.5);
        }

        TensorPrimitives.MultiplyAdd(x, y, z, r);
        TensorPrimitives.Max(r, 0f, r);
        double dot = 0, sum = 0;
        int mismatches = 0;
        for (int i = 0; i < count; i++)
        {
            float expected = MathF.Max(MathF.FusedMultiplyAdd(x[i], y[i], z[i]), 0f);
            if (MathF.Abs(r[i] - expected) > 1e-6f)
            {
                mismatches++;
            }

            dot += (double)x[i] * y[i];
            sum += x[i];
        }

        float tensorDot = TensorPrimitives.Dot(x, y), tensorSum = TensorPrimitives.Sum(x);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mismatches, Is.Zero, "MultiplyAdd then ReLU");
            Assert.That(tensorDot, Is.EqualTo(dot).Within(1e-3 * Math.Sqrt(count)));
            Assert.That(tensorSum, Is.EqualTo(sum).Within(1e-3 * Math.Sqrt(count)));
        }
    }

    [Test]
    public void SoftMax_of_a_rented_row_sums_to_one_and_keeps_the_order()
    {
        using var pool = new OrthotopeMemoryPool<float>(_bytes);
        using IMemoryOwner<float> logits = pool.Rent(10), probabilities = pool.Rent(10);
        Span<float> l = logits.Memory.Span, p = probabilities.Memory.Span;
        for (int i = 0; i < l.Length; i++)
        {
            l[i] = i * 0.3f;
        }

        TensorPrimitives.SoftMax(l, p);
        Assert.That(TensorPrimitives.Sum(p), Is.EqualTo(1f).Within(1e-5f));
        Assert.That(TensorPrimitives.IndexOfMax(p), Is.EqualTo(9));
        double denominator = 0;
        for (int i = 0; i < l.Length; i++)
        {
            denominator += Math.Exp(l[i]);
        }

        Assert.That(p[0], Is.EqualTo(1 / denominator).Within(1e-6));
    }

    [Test]
    public void Double_and_half_buffers_work_with_the_generic_primitives()
    {
        using var doubles = new OrthotopeMemoryPool<double>(_bytes);
        using var halves = new OrthotopeMemoryPool<Half>(_bytes);
        using IMemoryOwner<double> d = doubles.Rent(513);
        using IMemoryOwner<Half> h = halves.Rent(513);
        d.Memory.Span.Fill(0.25);
        TensorPrimitives.ConvertTruncating<double, Half>(d.Memory.Span, h.Memory.Span);
        Assert.That(TensorPrimitives.Sum(d.Memory.Span), Is.EqualTo(513 * 0.25));
        Assert.That((float)h.Memory.Span[512], Is.EqualTo(0.25f));
    }
}
