using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Tests.Storage;

/// <summary>The in-memory stores (AddAutoDev's defaults) pass the store conformance suite.</summary>
public sealed class InMemoryStoreConformanceTests : StoreConformanceTests
{
    protected override void ConfigureStores(IAutoDevBuilder builder)
    {
        // AddAutoDev registers the in-memory stores by default.
    }
}
