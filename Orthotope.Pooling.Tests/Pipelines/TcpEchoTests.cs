using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace Orthotope.Pooling.Tests.Pipelines;

[TestFixture]
public sealed class TcpEchoTests
{
    /// <summary>
    /// A loopback echo server whose stream pipes rent from the pool, and a client whose pipes rent from it too;
    /// 16 MiB of random bytes go out and come back compared byte for byte.
    /// </summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task A_tcp_echo_through_stream_pipes_returns_every_byte(CancellationToken cancellation)
    {
        using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "tcp-echo" });
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Task server = Task.Run(async () =>
        {
            using TcpClient connection = await listener.AcceptTcpClientAsync(cancellation);
            NetworkStream stream = connection.GetStream();
            PipeReader input = pool.CreatePipeReader(stream, leaveOpen: true);
            PipeWriter output = pool.CreatePipeWriter(stream, leaveOpen: true);
            await input.CopyToAsync(output, cancellation);
            await input.CompleteAsync();
            await output.CompleteAsync();
            connection.Client.Shutdown(SocketShutdown.Send);
        }, cancellation);

        byte[] payload = new byte[16 << 20];
        new Random(42).NextBytes(payload);
        byte[] echoed = new byte[payload.Length];

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellation);
        NetworkStream clientStream = client.GetStream();
        PipeWriter send = pool.CreatePipeWriter(clientStream, leaveOpen: true);
        PipeReader receive = pool.CreatePipeReader(clientStream, leaveOpen: true);

        Task sending = Task.Run(async () =>
        {
            var random = new Random(7);
            int offset = 0;
            while (offset < payload.Length)
            {
                int chunk = Math.Min(random.Next(1, 70_001), payload.Length - offset);
                payload.AsMemory(offset, chunk).CopyTo(send.GetMemory(chunk));
                send.Advance(chunk);
                offset += chunk;
                await send.FlushAsync(cancellation);
            }

            await send.CompleteAsync();
            client.Client.Shutdown(SocketShutdown.Send);
        }, cancellation);

        long received = 0;
        while (true)
        {
            ReadResult result = await receive.ReadAsync(cancellation);
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                segment.CopyTo(echoed.AsMemory((int)received));
                received += segment.Length;
            }

            receive.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await receive.CompleteAsync();
        await Task.WhenAll(sending, server);
        PoolStatistics stats = pool.GetStatistics();
        TestContext.Out.WriteLine(stats.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(payload.Length));
            Assert.That(echoed.AsSpan().SequenceEqual(payload), Is.True, "byte for byte");
            Assert.That(stats.Rents, Is.GreaterThan(0));
            Assert.That(stats.OutstandingBlocks, Is.Zero);
        });
    }
}
