using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.NamedPipes;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Orthotope.Pooling.AspNetCore.Transports;

/// <summary>
/// Access to the transports' internal <c>MemoryPoolFactory</c> option, used only when a later <c>UseKestrel()</c>
/// registered Kestrel's own factory over ours (see <see cref="TransportPoolFactorySetup"/>).
/// </summary>
/// <remarks>
/// Stateless and thread-safe. The members are bound by name when first called; if a future Kestrel renames them,
/// the call throws <see cref="System.MissingMethodException"/>, which the caller turns into a clear error.
/// </remarks>
internal static class TransportPoolFactoryAccessors
{
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_MemoryPoolFactory")]
    public static extern void SetMemoryPoolFactory(SocketTransportOptions options, IMemoryPoolFactory<byte> factory);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_MemoryPoolFactory")]
    public static extern void SetMemoryPoolFactory(NamedPipeTransportOptions options, IMemoryPoolFactory<byte> factory);
}
