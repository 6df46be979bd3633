using System;
using System.Buffers;
using Orthotope.Pooling.Samples.Inference;

namespace Orthotope.Pooling.Tests.Tensors;

/// <summary>
/// The Inference sample's request loop on a small network: what the sample reports (0 bytes per request on
/// Orthotope) and that its forward pass computes what a plain loop does.
/// </summary>
[TestFixture]
public sealed class InferenceSampleTests
{
    private const int Seed = 7;
    private static readonly int[] s_widths = [64, 96, 128, 10];

    private OrthotopeMemoryPool _bytes = null!;
    private OrthotopeMemoryPool<float> _floats = null!;
    private Mlp _model = null!;

    [SetUp]
    public void SetUp()
    {
        _bytes = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "inference-test" });
        _floats = new OrthotopeMemoryPool<float>(_bytes);
        _model = new Mlp(batch: 4, s_widths, Seed);
    }

    [TearDown]
    public void TearDown()
    {
        _floats.Dispose();
        _bytes.Dispose();
    }

    [Test]
    public void Requests_on_OrthotopeMemoryPool_allocate_nothing_in_steady_state()
    {
        var loop = new InferenceLoop(_model, new OrthotopeBufferSource(_floats), Seed);
        int request = 0;
        long allocated = Allocations.SteadyStateBytes(() => loop.Run(request++), iterations: 500);

        Assert.That(allocated, Is.Zero);
        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.Zero, "every buffer given back");
        Assert.That(_bytes.GetStatistics().Rents, Is.GreaterThanOrEqualTo(5L * request), "five buffers per request");
    }

    [Test]
    public void Requests_on_new_arrays_allocate_every_buffer()
    {
        // The same measurement, seeing what it should: without a pool every request allocates its buffers.
        var loop = new InferenceLoop(_model, new NewArrayBufferSource(), Seed);
        int request = 0;
        long allocated = Allocations.SteadyStateBytes(() => loop.Run(request++), iterations: 100, rounds: 1);

        Assert.That(allocated, Is.GreaterThanOrEqualTo(100 * loop.RequestedFloats * sizeof(float)));
    }

    [Test]
    public void Every_mode_predicts_the_same_classes()
    {
        BufferSource[] sources = [new OrthotopeBufferSource(_floats), new ArrayPoolBufferSource(), new NewArrayBufferSource()];
        var sums = new long[sources.Length];
        for (int s = 0; s < sources.Length; s++)
        {
            var loop = new InferenceLoop(_model, sources[s], Seed);
            for (int request = 0; request < 24; request++)
            {
                sums[s] += loop.Run(request);
            }
        }

        Assert.That(sums, Is.All.EqualTo(sums[0]));
        Assert.That(_bytes.GetStatistics().OutstandingBlocks, Is.Zero);
    }

    [TestCase(0)]
    [TestCase(1)]
    public void A_layer_computes_what_a_plain_loop_does(int layer)
    {
        // Layer 0 is hidden (ReLU after it), layer 1 the output (logits, no ReLU).
        var model = new Mlp(batch: 3, [37, 19, 5], Seed);
        int inputs = model.Width(layer), outputs = model.Width(layer + 1);
        using IMemoryOwner<float> input = _floats.Rent(3 * inputs), output = _floats.Rent(3 * outputs);
        Span<float> x = input.Memory.Span;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ((i * 7) % 11) - 5f;
        }

        model.Layer(layer, x, output.Memory.Span);
        ReadOnlySpan<float> weights = model.Weights(layer), biases = model.Biases(layer);
        Span<float> y = output.Memory.Span;
        for (int b = 0; b < 3; b++)
        {
            for (int j = 0; j < outputs; j++)
            {
                double sum = biases[j];
                for (int i = 0; i < inputs; i++)
                {
                    sum += (double)x[(b * inputs) + i] * weights[(j * inputs) + i];
                }

                double expected = layer == 0 ? Math.Max(sum, 0) : sum;
                Assert.That(y[(b * outputs) + j], Is.EqualTo(expected).Within(1e-4), $"row {b}, output {j}");
            }
        }

        Assert.That(() => model.Layer(layer, input.Memory.Span[1..], output.Memory.Span), Throws.ArgumentException);
    }
}
