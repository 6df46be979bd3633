// PipelinesEcho: a TCP echo server on loopback built on System.IO.Pipelines with OrthotopeMemoryPool, and a client
// that sends a bounded load through it and prints throughput and the pool's statistics.
//
//   dotnet run -c Release --project samples/PipelinesEcho                      server and client in one process
//   dotnet run -c Release --project samples/PipelinesEcho -- --server 5555     server only, until Ctrl+C
//   dotnet run -c Release --project samples/PipelinesEcho -- --client 5555     client only, against 127.0.0.1:5555
//   options: --connections 4 --megabytes 256 (per run, spread over the connections)
using System;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Pipelines;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Orthotope.Pooling;

int connections = ReadOption(args, "--connections", 4);
int megabytes = ReadOption(args, "--megabytes", 256);
int serverPort = ReadOption(args, "--server", -1);
int clientPort = ReadOption(args, "--client", -1);

using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "echo" });
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

if (serverPort >= 0)
{
    using TcpListener listener = StartListener(serverPort);
    Console.WriteLine($"echo server on {listener.LocalEndpoint}; Ctrl+C stops it");
    try
    {
        await Serve(listener, pool, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }

    Console.WriteLine(pool.GetStatistics().ToDetailedString());
    return;
}

if (clientPort >= 0)
{
    await RunClients(clientPort, connections, (long)megabytes << 20, pool);
    Console.WriteLine(pool.GetStatistics().ToDetailedString());
    return;
}

using (TcpListener listener = StartListener(0))
{
    int port = ((IPEndPoint)listener.LocalEndpoint).Port;
    Task server = Serve(listener, pool, stop.Token);
    await RunClients(port, connections, (long)megabytes << 20, pool);
    stop.Cancel();
    try
    {
        await server;
    }
    catch (OperationCanceledException)
    {
    }
}

Console.WriteLine(pool.GetStatistics().ToDetailedString());
return;

static TcpListener StartListener(int port)
{
    var listener = new TcpListener(IPAddress.Loopback, port);
    listener.Start();
    return listener;
}

// Accepts connections until cancelled; each one copies its input pipe to its output pipe.
static async Task Serve(TcpListener listener, OrthotopeMemoryPool pool, CancellationToken cancel)
{
    while (true)
    {
        Socket socket = await listener.AcceptSocketAsync(cancel);
        _ = Task.Run(async () =>
        {
            using var stream = new NetworkStream(socket, ownsSocket: true);
            PipeReader input = pool.CreatePipeReader(stream, leaveOpen: true);
            PipeWriter output = pool.CreatePipeWriter(stream, leaveOpen: true);
            try
            {
                await input.CopyToAsync(output, cancel);
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // The client went away or the server is stopping.
            }
            finally
            {
                await input.CompleteAsync();
                await output.CompleteAsync();
            }
        }, CancellationToken.None);
    }
}

// Each connection sends its share in 1..64 KiB writes and reads the echo back, checking every byte.
static async Task RunClients(int port, int connections, long totalBytes, OrthotopeMemoryPool pool)
{
    long perConnection = totalBytes / connections;
    var clock = Stopwatch.StartNew();
    long[] echoed = await Task.WhenAll(Enumerable.Range(0, connections).Select(async id =>
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream stream = client.GetStream();
        PipeWriter send = pool.CreatePipeWriter(stream, leaveOpen: true);
        PipeReader receive = pool.CreatePipeReader(stream, leaveOpen: true);

        Task sending = Task.Run(async () =>
        {
            var random = new Random(id);
            long sent = 0;
            while (sent < perConnection)
            {
                int size = (int)Math.Min(random.Next(1, 64 * 1024), perConnection - sent);
                Span<byte> span = send.GetSpan(size)[..size];
                for (int i = 0; i < span.Length; i++)
                {
                    span[i] = (byte)(sent + i);
                }

                send.Advance(size);
                sent += size;
                await send.FlushAsync();
            }

            await send.CompleteAsync();
            client.Client.Shutdown(SocketShutdown.Send);
        });

        long received = 0;
        while (true)
        {
            ReadResult result = await receive.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                ReadOnlySpan<byte> span = segment.Span;
                for (int i = 0; i < span.Length; i++)
                {
                    if (span[i] != (byte)(received + i))
                    {
                        throw new InvalidDataException($"connection {id}: byte {received + i} came back wrong");
                    }
                }

                received += span.Length;
            }

            receive.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await receive.CompleteAsync();
        await sending;
        return received;
    }));
    clock.Stop();

    long bytes = echoed.Sum();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{connections} connections echoed {bytes / 1e6:F0} MB (verified) in {clock.Elapsed.TotalSeconds:F2} s: " +
        $"{bytes / 1e6 / clock.Elapsed.TotalSeconds:F0} MB/s each way"));
}

static int ReadOption(string[] args, string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
