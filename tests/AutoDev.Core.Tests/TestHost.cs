using AutoDev.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace AutoDev.Tests;

/// <summary>Builds a service provider with AddAutoDev, inline events and a manual clock.</summary>
internal static class TestHost
{
    public static ServiceProvider Create(Action<IAutoDevBuilder>? configure = null, Action<AutoDevOptions>? options = null, FakeTimeProvider? time = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddAutoDev(o =>
        {
            o.EventDispatchMode = EventDispatchMode.Inline;
            options?.Invoke(o);
        });
        services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time ?? new FakeTimeProvider()));
        configure?.Invoke(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static async Task<AgentProfile> AddAgentAsync(this IServiceProvider services, string tenant, string agent, AgentMaturity maturity)
    {
        var store = services.GetRequiredService<IAgentProfileStore>();
        return (await store.AddAsync(new AgentProfile { TenantId = tenant, AgentId = agent, Maturity = maturity }, CancellationToken.None)).Entity;
    }

    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
