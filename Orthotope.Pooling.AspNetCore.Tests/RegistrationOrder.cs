namespace Orthotope.Pooling.AspNetCore.Tests;

/// <summary>Where <c>AddOrthotopeMemoryPool()</c> runs relative to Kestrel's own registration.</summary>
public enum RegistrationOrder
{
    /// <summary>After <c>UseKestrel()</c>, as with <c>WebApplication.CreateSlimBuilder</c>: the DI replacement does the work.</summary>
    AfterUseKestrel,

    /// <summary>Before a later <c>UseKestrel(options)</c>, which adds Kestrel's factory again: the transport post-configure does the work.</summary>
    BeforeUseKestrel,
}
