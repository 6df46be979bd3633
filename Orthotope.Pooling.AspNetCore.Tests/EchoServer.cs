using System;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orthotope.Pooling.AspNetCore.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port chosen by the OS) with <c>AddOrthotopeMemoryPool()</c> and a
/// <c>POST /echo</c> endpoint that streams the request body back.
/// </summary>
/// <remarks>Owned by one test; <see cref="DisposeAsync"/> stops the server if the test did not.</remarks>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public OrthotopeMemoryPoolFactory Factory => _app.Services.GetRequiredService<OrthotopeMemoryPoolFactory>();

    /// <summary>The factory the container resolves for <see cref="IMemoryPoolFactory{T}"/>, which may be Kestrel's.</summary>
    public IMemoryPoolFactory<byte> RegisteredFactory => _app.Services.GetRequiredService<IMemoryPoolFactory<byte>>();

    public static async Task<EchoServer> StartAsync(RegistrationOrder order)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (order == RegistrationOrder.AfterUseKestrel)
        {
            builder.Services.AddOrthotopeMemoryPool();
            builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.Services.AddOrthotopeMemoryPool();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }

        WebApplication app = builder.Build();
        app.MapPost("/echo", EchoAsync);
        await app.StartAsync();

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new EchoServer(app, new Uri(address));
    }

    public Task StopAsync() => _app.StopAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static async Task EchoAsync(HttpContext context)
    {
        context.Response.ContentLength = context.Request.ContentLength;
        await context.Request.BodyReader.CopyToAsync(context.Response.BodyWriter, context.RequestAborted);
    }
}
