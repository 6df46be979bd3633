using System;
using System.Buffers;
using System.IO;
using System.Text.Json;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using CommunityToolkit.HighPerformance.Buffers;
using Microsoft.Extensions.ObjectPool;
using Microsoft.IO;

namespace Orthotope.Pooling.Benchmarks;

/// <summary>
/// W9: serialize a JSON document with <see cref="Utf8JsonWriter"/> into a growable <see cref="IBufferWriter{T}"/> and
/// copy the result to a <see cref="Stream"/>, as a server does with a response body: one document per operation,
/// each writer taken and given back the way applications use it.
/// </summary>
/// <remarks>
/// <para>
/// The contenders: <see cref="ArrayBufferWriter{T}"/> made per document (the baseline; allocates and copies as it
/// grows), CommunityToolkit's <see cref="ArrayPoolBufferWriter{T}"/> made per document (one array from
/// <c>ArrayPool&lt;byte&gt;.Shared</c>, copied into a larger one as it grows), a <see cref="RecyclableMemoryStream"/>
/// from a shared manager per document (its <see cref="IBufferWriter{T}"/>), and an <see cref="OrthotopeBufferWriter"/>
/// from an <see cref="ObjectPool{T}"/> (blocks chained, never copied). <see cref="Floor"/> and
/// <see cref="FloorOnPoolBlock"/> are no contenders: the same document into one fixed memory already large enough
/// (an array, or one pool block), which is what serializing costs with no writer overhead at all, the lower bound for
/// every row.
/// </para>
/// <para>
/// Every row reuses one <see cref="Utf8JsonWriter"/> (<see cref="Utf8JsonWriter.Reset(IBufferWriter{byte})"/>) and
/// writes into one reused <see cref="MemoryStream"/> with room for the largest document, so the copy out costs the
/// same memory traffic in every row and completes synchronously.
/// </para>
/// </remarks>
[MemoryDiagnoser]
public class JsonWriters
{
    private const int SampleItems = 100;

    private Utf8JsonWriter _json = null!;
    private MemoryStream _destination = null!;
    private OrthotopeMemoryPool _pool = null!;
    private ObjectPool<OrthotopeBufferWriter> _writers = null!;
    private RecyclableMemoryStreamManager _streams = null!;
    private FixedMemoryWriter _preallocated = null!;
    private IMemoryOwner<byte> _block = null!;
    private FixedMemoryWriter _onBlock = null!;
    private string[] _names = null!;
    private string[] _tags = null!;
    private int _items;

    /// <summary>The size of the serialized document in bytes (within one item's length).</summary>
    [Params(1 << 10, 64 << 10, 1 << 20)]
    public int DocumentBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _names = new string[256];
        _tags = new string[256];
        for (int i = 0; i < _names.Length; i++)
        {
            _names[i] = $"Product {i:D3} of the spring catalogue";
            _tags[i] = (i % 5) switch { 0 => "new", 1 => "sale", 2 => "limited", 3 => "bundle", _ => "classic" };
        }

        _json = new Utf8JsonWriter(Stream.Null);
        _destination = new MemoryStream(DocumentBytes + (DocumentBytes / 4) + 4096);
        _pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "json" });
        _writers = _pool.CreateBufferWriterPool();
        _streams = new RecyclableMemoryStreamManager();

        // Room for the document with Utf8JsonWriter's 4 KiB growth requests on top, in an array and in a pool block.
        int room = (DocumentBytes * 2) + (64 << 10);
        _preallocated = new FixedMemoryWriter(new byte[room]);
        _block = _pool.Rent(room);
        _onBlock = new FixedMemoryWriter(_block.Memory);

        // Size the document: measure what SampleItems items take, then scale the item count to the target.
        _items = SampleItems;
        Serialize(_preallocated);
        int perItem = _preallocated.WrittenCount / SampleItems;
        _items = Math.Max(1, DocumentBytes / perItem);
        _preallocated.Reset();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _json.Dispose();
        _block.Dispose();
        _pool.Dispose();
    }

    /// <summary>The baseline: a new <see cref="ArrayBufferWriter{T}"/> per document.</summary>
    [Benchmark(Baseline = true)]
    public async ValueTask ArrayBufferWriter()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Serialize(buffer);
        _destination.Position = 0;
        await _destination.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>CommunityToolkit.HighPerformance's <see cref="ArrayPoolBufferWriter{T}"/> per document, disposed after.</summary>
    [Benchmark]
    public async ValueTask ArrayPoolBufferWriter()
    {
        using var buffer = new ArrayPoolBufferWriter<byte>();
        Serialize(buffer);
        _destination.Position = 0;
        await _destination.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>A <see cref="RecyclableMemoryStream"/> from a shared manager per document, written through its <see cref="IBufferWriter{T}"/>.</summary>
    [Benchmark]
    public void RecyclableMemoryStream()
    {
        using RecyclableMemoryStream buffer = _streams.GetStream();
        Serialize(buffer);
        _destination.Position = 0;
        buffer.WriteTo(_destination);
    }

    /// <summary>An <see cref="OrthotopeBufferWriter"/> from the object pool, returned after.</summary>
    [Benchmark]
    public async ValueTask OrthotopeBufferWriter()
    {
        OrthotopeBufferWriter buffer = _writers.Get();
        Serialize(buffer);
        _destination.Position = 0;
        await buffer.WriteToAsync(_destination).ConfigureAwait(false);
        _writers.Return(buffer);
    }

    /// <summary>The floor: one contiguous array, already large enough, reused; no contender can beat it.</summary>
    [Benchmark]
    public async ValueTask Floor()
    {
        _preallocated.Reset();
        Serialize(_preallocated);
        _destination.Position = 0;
        await _destination.WriteAsync(_preallocated.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>
    /// The floor again, but into one pool block's memory (the owner's <see cref="IMemoryOwner{T}.Memory"/>, a
    /// <see cref="MemoryManager{T}"/>): the difference from <see cref="Floor"/> is what <see cref="Memory{T}.Span"/>
    /// costs on pool memory, which <see cref="Utf8JsonWriter"/> reads for every value it writes.
    /// </summary>
    [Benchmark]
    public async ValueTask FloorOnPoolBlock()
    {
        _onBlock.Reset();
        Serialize(_onBlock);
        _destination.Position = 0;
        await _destination.WriteAsync(_onBlock.WrittenMemory).ConfigureAwait(false);
    }

    private void Serialize(IBufferWriter<byte> buffer)
    {
        _json.Reset(buffer);
        WriteDocument(_json);
        _json.Flush();
    }

    /// <summary>An order-history-like document: an object holding an array of small objects with strings, numbers and a nested array.</summary>
    private void WriteDocument(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("catalogue", "spring");
        json.WriteNumber("version", 3);
        json.WriteStartArray("items");
        for (int i = 0; i < _items; i++)
        {
            int k = i & 255;
            json.WriteStartObject();
            json.WriteNumber("id", 100_000 + i);
            json.WriteString("name", _names[k]);
            json.WriteNumber("price", 9.99 + k);
            json.WriteNumber("stock", k * 7);
            json.WriteBoolean("active", (i & 1) == 0);
            json.WriteStartArray("tags");
            json.WriteStringValue(_tags[k]);
            json.WriteStringValue(_tags[(k + 1) & 255]);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
