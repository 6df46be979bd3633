using System;
using System.Numerics.Tensors;

namespace Orthotope.Pooling.Samples.Inference;

/// <summary>
/// A multilayer perceptron with ReLU between layers, float32, weights initialised once from a fixed seed: the model
/// the sample runs. Its weights are long-lived arrays; only the activations are per request.
/// </summary>
/// <remarks>Immutable after construction, so one model may serve many threads; each call writes only its output.</remarks>
internal sealed class Mlp
{
    private readonly int[] _widths;

    /// <summary>Per layer, the weights row-major as [output × input]: row <c>j</c> holds the weights into output <c>j</c>.</summary>
    private readonly float[][] _weights;

    private readonly float[][] _biases;

    /// <summary>Creates a model for batches of <paramref name="batch"/> rows and the given layer widths (input first).</summary>
    public Mlp(int batch, ReadOnlySpan<int> widths, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (widths.Length < 2)
        {
            throw new ArgumentException("A model needs an input and an output width.", nameof(widths));
        }

        Batch = batch;
        _widths = widths.ToArray();
        _weights = new float[LayerCount][];
        _biases = new float[LayerCount][];
        var random = new Random(seed);
        for (int layer = 0; layer < LayerCount; layer++)
        {
            int inputs = _widths[layer], outputs = _widths[layer + 1];
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs, nameof(widths));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs, nameof(widths));

            // He initialisation: uniform in ±sqrt(6 / fan-in), which keeps ReLU activations from vanishing.
            float scale = MathF.Sqrt(6f / inputs);
            float[] weights = new float[inputs * outputs];
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = ((float)random.NextDouble() * 2 - 1) * scale;
            }

            float[] biases = new float[outputs];
            for (int i = 0; i < biases.Length; i++)
            {
                biases[i] = ((float)random.NextDouble() - 0.5f) * 0.1f;
            }

            _weights[layer] = weights;
            _biases[layer] = biases;
        }
    }

    /// <summary>Rows per request.</summary>
    public int Batch { get; }

    /// <summary>Layers with weights (one fewer than widths).</summary>
    public int LayerCount => _widths.Length - 1;

    /// <summary>The width of activation <paramref name="index"/>: 0 is the input, <see cref="LayerCount"/> the output.</summary>
    public int Width(int index) => _widths[index];

    /// <summary>The weights of layer <paramref name="layer"/>, row-major [output × input].</summary>
    public ReadOnlySpan<float> Weights(int layer) => _weights[layer];

    /// <summary>The biases of layer <paramref name="layer"/>, one per output.</summary>
    public ReadOnlySpan<float> Biases(int layer) => _biases[layer];

    /// <summary>Floats in activation <paramref name="index"/> for a whole batch.</summary>
    public int ActivationLength(int index) => Batch * _widths[index];

    /// <summary>
    /// Runs layer <paramref name="layer"/>: <c>output[b, j] = bias[j] + input[b, :] · W[j, :]</c>, then ReLU unless it is
    /// the last layer, whose outputs are logits.
    /// </summary>
    public void Layer(int layer, ReadOnlySpan<float> input, Span<float> output)
    {
        int inputs = _widths[layer], outputs = _widths[layer + 1];
        if (input.Length != Batch * inputs || output.Length != Batch * outputs)
        {
            throw new ArgumentException($"Layer {layer} takes {Batch}×{inputs} floats and writes {Batch}×{outputs}.");
        }

        ReadOnlySpan<float> weights = _weights[layer];
        ReadOnlySpan<float> biases = _biases[layer];

        // Output-major: one weight row stays in cache while every row of the batch (a few hundred KiB) is dotted with
        // it, so the weights stream through once per request.
        for (int j = 0; j < outputs; j++)
        {
            ReadOnlySpan<float> row = weights.Slice(j * inputs, inputs);
            float bias = biases[j];
            for (int b = 0; b < Batch; b++)
            {
                output[(b * outputs) + j] = TensorPrimitives.Dot(input.Slice(b * inputs, inputs), row) + bias;
            }
        }

        if (layer < LayerCount - 1)
        {
            TensorPrimitives.Max(output, 0f, output);
        }
    }

    /// <summary>Softmax of each row of <paramref name="logits"/> into <paramref name="probabilities"/>.</summary>
    public void SoftMax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        int width = _widths[^1];
        for (int b = 0; b < Batch; b++)
        {
            TensorPrimitives.SoftMax(logits.Slice(b * width, width), probabilities.Slice(b * width, width));
        }
    }
}
