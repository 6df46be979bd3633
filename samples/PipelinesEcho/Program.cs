// PipelinesEcho: a TCP echo server on loopback built on System.IO.Pipelines with OrthotopeMemoryPool, and a client
// that sends a bounded load through it, checks every byte that comes back, and prints throughput and the pool's
// statistics (also when stopped early by Ctrl+C or SIGTERM).
//
//   dotnet run -c Release --project samples/PipelinesEcho                      server and client in one process
//   dotnet run -c Release --project samples/PipelinesEcho -- --server 5555     server only, until Ctrl+C or SIGTERM
//   dotnet run -c Release --project samples/PipelinesEcho -- --client 5555     client only, against 127.0.0.1:5555
using System;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Pipelines;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Orthotope.Pooling;
using Orthotope.Pooling.Samples;

const string Usage = """
    PipelinesEcho: a TCP echo server on 127.0.0.1 whose PipeReader and PipeWriter rent from OrthotopeMemoryPool,
    and clients that send a bounded load through it and verify every byte of the echo.

    Usage: dotnet run -c Release --project samples/PipelinesEcho [-- OPTIONS]
      (no --server/--client)  server and clients in one process
      --server PORT           server only (0: any free port), until Ctrl+C or SIGTERM
      --client PORT           clients only, against 127.0.0.1:PORT
      --connections N         client connections; default 4
      --mib N                 MiB (2^20 bytes) sent in all, spread over the connections; default 256
      --help                  this text

    Throughput is in MB/s (10^6 bytes per second); amounts are in MiB. The pool's statistics are printed at the
    end, also when Ctrl+C or SIGTERM stops the run early.
    Exit codes: 0 done, 1 the echo came back wrong or the connection failed, 2 bad arguments, 130 stopped early.
    """;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var commandLine = new CommandLine("PipelinesEcho", Usage, args);
int connections = commandLine.Int("--connections", 4, 1, 1024);
int mib = commandLine.Int("--mib", 256, 1, 1 << 20);
int serverPort = commandLine.Int("--server", -1, 0, 65535);
int clientPort = commandLine.Int("--client", -1, 1, 65535);
commandLine.RejectUnknown();
if (serverPort >= 0 && clientPort >= 0)
{
    commandLine.Fail("--server and --client run the two halves in separate processes; give one of them, or neither");
}

using var pool = new OrthotopeMemoryPool(new OrthotopePoolOptions { Name = "echo" });
using var stop = new CancellationTokenSource();

// Ctrl+C and SIGTERM (a service manager, `kill`, a container stopping) end the run the same way: cancel it, then
// print the statistics and exit, rather than letting the runtime end the process on the spot.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

int exitCode = 0;
try
{
    if (serverPort >= 0)
    {
        using TcpListener listener = StartListener(serverPort);
        Console.WriteLine($"echo server on {listener.LocalEndpoint}; Ctrl+C or SIGTERM stops it");
        await Serve(listener, pool, stop.Token);
    }
    else if (clientPort >= 0)
    {
        await RunClients(clientPort, connections, (long)mib << 20, pool, stop.Token);
    }
    else
    {
        using TcpListener listener = StartListener(0);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task server = Serve(listener, pool, stop.Token);
        try
        {
            await RunClients(port, connections, (long)mib << 20, pool, stop.Token);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await server;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.WriteLine("stopped early; any blocks still 'out' below belong to connections cut off mid-transfer");
    exitCode = serverPort >= 0 ? 0 : 130;
}
catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
{
    Console.Error.WriteLine($"PipelinesEcho: {ex.Message}");
    exitCode = 1;
}

Console.WriteLine(pool.GetStatistics().ToDetailedString());
return exitCode;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

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
static async Task RunClients(int port, int connections, long totalBytes, OrthotopeMemoryPool pool, CancellationToken cancel)
{
    long perConnection = totalBytes / connections;
    var clock = Stopwatch.StartNew();
    long[] echoed = await Task.WhenAll(Enumerable.Range(0, connections).Select(async id =>
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port, cancel);
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
                await send.FlushAsync(cancel);
            }

            await send.CompleteAsync();
            client.Client.Shutdown(SocketShutdown.Send);
        }, cancel);

        long received = 0;
        while (true)
        {
            ReadResult result = await receive.ReadAsync(cancel);
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
        $"{connections} connections echoed {bytes / 1048576.0:F1} MiB (every byte verified) in {clock.Elapsed.TotalSeconds:F2} s: " +
        $"{bytes / 1e6 / clock.Elapsed.TotalSeconds:F0} MB/s each way"));
}
