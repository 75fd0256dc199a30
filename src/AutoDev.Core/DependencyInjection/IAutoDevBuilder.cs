namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Returned by <c>AddAutoDev()</c>; provider packages add their extension methods to it (<c>AddEntityFrameworkStores</c>, <c>AddDockerSandbox</c>, ...).</summary>
public interface IAutoDevBuilder
{
    /// <summary>The service collection AutoDev is registered in.</summary>
    IServiceCollection Services { get; }
}
