using System;
using System.Numerics.Tensors;

namespace Orthotope.Pooling.Samples.Inference;

/// <summary>
/// Serves requests on one thread: per request, rents the input and every activation buffer from a
/// <see cref="BufferSource"/>, copies the request's input in, runs the model forward, takes the softmax and each
/// row's arg-max, and gives every buffer back together.
/// </summary>
/// <remarks>Not thread-safe: it keeps the request's buffer handles in a field, so one loop per thread.</remarks>
internal sealed class InferenceLoop
{
    /// <summary>Distinct request payloads, cycled through.</summary>
    private const int Payloads = 8;

    private readonly Mlp _model;
    private readonly BufferSource _buffers;
    private readonly float[][] _payloads;

    /// <summary>The current request's buffers: input, each layer's output, then the probabilities.</summary>
    private readonly object?[] _handles;

    public InferenceLoop(Mlp model, BufferSource buffers, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(buffers);
        _model = model;
        _buffers = buffers;
        _handles = new object?[model.LayerCount + 2];
        _payloads = new float[Payloads][];
        var random = new Random(seed);
        for (int p = 0; p < Payloads; p++)
        {
            // Inputs in [0, 1), like normalised pixels.
            float[] payload = new float[model.ActivationLength(0)];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (float)random.NextDouble();
            }

            _payloads[p] = payload;
        }
    }

    /// <summary>The buffer source's name.</summary>
    public string Mode => _buffers.Name;

    /// <summary>Floats the buffers of one request ask for.</summary>
    public long RequestedFloats
    {
        get
        {
            long floats = _model.ActivationLength(_model.LayerCount);
            for (int a = 0; a <= _model.LayerCount; a++)
            {
                floats += _model.ActivationLength(a);
            }

            return floats;
        }
    }

    /// <summary>Serves request <paramref name="request"/>; returns the sum of the rows' predicted classes.</summary>
    public int Run(int request)
    {
        int layers = _model.LayerCount;
        RentAll();
        try
        {
            _payloads[request % Payloads].CopyTo(Activation(0));
            for (int layer = 0; layer < layers; layer++)
            {
                _model.Layer(layer, Activation(layer), Activation(layer + 1));
            }

            Span<float> probabilities = _buffers.GetSpan(_handles[layers + 1]!, _model.ActivationLength(layers));
            _model.SoftMax(Activation(layers), probabilities);
            int classes = _model.Width(layers), predicted = 0;
            for (int b = 0; b < _model.Batch; b++)
            {
                predicted += TensorPrimitives.IndexOfMax(probabilities.Slice(b * classes, classes));
            }

            return predicted;
        }
        finally
        {
            ReturnAll();
        }
    }

    /// <summary>Rents one request's buffers and reports the bytes the source set aside for them.</summary>
    public long MeasureHeldBytes()
    {
        RentAll();
        try
        {
            return _buffers.HeldBytes(_handles);
        }
        finally
        {
            ReturnAll();
        }
    }

    private Span<float> Activation(int index) => _buffers.GetSpan(_handles[index]!, _model.ActivationLength(index));

    private void RentAll()
    {
        int layers = _model.LayerCount;
        try
        {
            for (int a = 0; a <= layers; a++)
            {
                _handles[a] = _buffers.Rent(_model.ActivationLength(a));
            }

            _handles[layers + 1] = _buffers.Rent(_model.ActivationLength(layers));
        }
        catch
        {
            // A rent that failed (a pool at its limit) must not strand the buffers rented before it.
            ReturnAll();
            throw;
        }
    }

    private void ReturnAll()
    {
        for (int i = 0; i < _handles.Length; i++)
        {
            if (_handles[i] is object handle)
            {
                _handles[i] = null;
                _buffers.Return(handle);
            }
        }
    }
}
