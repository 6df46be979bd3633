using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
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

// Usage: KestrelApp [--port N] [--kestrel-default-pool]
// The port comes from --port, else the KESTRELAPP_PORT environment variable, else 5080; the app listens on 127.0.0.1 only.
const string DefaultPoolSwitch = "--kestrel-default-pool";
bool useKestrelDefaultPool = args.Contains(DefaultPoolSwitch);
int port = ReadPort(args);

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
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
await app.RunAsync();

static int ReadPort(string[] args)
{
    int index = Array.IndexOf(args, "--port");
    string? text = index >= 0 && index + 1 < args.Length ? args[index + 1] : Environment.GetEnvironmentVariable("KESTRELAPP_PORT");
    return string.IsNullOrEmpty(text) ? 5080 : int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}

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
