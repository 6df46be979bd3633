using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Threading.Tasks;
using KestrelApp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orthotope.Pooling;
using Orthotope.Pooling.AspNetCore;
using Orthotope.Pooling.Samples;

const string Usage = """
    KestrelApp: a minimal Kestrel app on 127.0.0.1 whose socket transport rents from Orthotope.Pooling (or, with
    --kestrel-default-pool, from Kestrel's own pool): GET /hello, POST /echo (the body streamed back), GET /stats
    (GC and pool figures as JSON). The pools' statistics are logged when it stops (Ctrl+C or SIGTERM).

    Usage: dotnet run -c Release --project samples/KestrelApp [-- OPTIONS]
      --port N                 the port; default the KESTRELAPP_PORT environment variable, else 5080
      --kestrel-default-pool   run on Kestrel's default pool instead, for comparison
      --help                   this text

    Try: curl http://127.0.0.1:5080/hello; curl http://127.0.0.1:5080/stats
    Exit codes: 0 stopped, 1 could not listen (the port is taken?), 2 bad arguments.
    """;

var commandLine = new CommandLine("KestrelApp", Usage, args);
bool useKestrelDefaultPool = commandLine.Switch("--kestrel-default-pool");
int port = commandLine.Int("--port", "KESTRELAPP_PORT", 5080, 1, 65535);
commandLine.RejectUnknown();

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
// A failure to start (the port taken) is reported in one line by the catch around RunAsync below, not as the host's
// logged stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
builder.WebHost.ConfigureKestrel(options => options.Listen(IPAddress.Loopback, port));
if (!useKestrelDefaultPool)
{
    builder.Services.AddOrthotopeMemoryPool();
}

WebApplication app = builder.Build();
string poolMode = useKestrelDefaultPool ? "kestrel-default" : "orthotope";

app.MapGet("/hello", () => "Hello from Kestrel\n");
app.MapPost("/echo", static async (HttpContext context) =>
{
    context.Response.ContentLength = context.Request.ContentLength;
    await context.Request.BodyReader.CopyToAsync(context.Response.BodyWriter, context.RequestAborted);
});
app.MapGet("/stats", () => Results.Json(StatsSnapshot.Take(poolMode, app.Services.GetService<OrthotopeMemoryPoolFactory>()), StatsJsonContext.Default.StatsSnapshot));

ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("KestrelApp");
IHostApplicationLifetime lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
lifetime.ApplicationStopping.Register(() => LogPools(app.Services, logger, "stopping"));
lifetime.ApplicationStopped.Register(() => LogPools(app.Services, logger, "stopped"));

Log.Started(logger, poolMode, port, Environment.ProcessId);
try
{
    await app.RunAsync();
}
catch (IOException ex)
{
    // Kestrel could not bind, most often because the port is taken (an earlier KestrelApp still running?).
    Console.Error.WriteLine($"KestrelApp: {ex.Message} Pick another port with --port N.");
    return 1;
}

return 0;

static void LogPools(IServiceProvider services, ILogger logger, string phase)
{
    GCMemoryInfo gc = GC.GetGCMemoryInfo();
    using var process = Process.GetCurrentProcess();
    Log.Memory(logger, phase, GC.GetTotalMemory(false), gc.HeapSizeBytes, gc.TotalCommittedBytes, process.WorkingSet64, process.PeakWorkingSet64);
    OrthotopeMemoryPoolFactory? factory = services.GetService<OrthotopeMemoryPoolFactory>();
    if (factory is null)
    {
        Log.DefaultPool(logger, phase);
        return;
    }

    foreach (OrthotopeMemoryPool pool in factory.Pools)
    {
        Log.Pool(logger, phase, pool.GetStatistics().ToDetailedString());
    }
}
