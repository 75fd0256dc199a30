using AutoDev;
using AutoDev.Sandbox.Docker.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Docker sandbox tier.</summary>
public static class DockerSandboxBuilderExtensions
{
    /// <summary>
    /// Adds the Docker tier to automatic sandbox selection; being the strongest, it runs every request. The host stops
    /// at start-up with a <see cref="SandboxUnavailableException"/> that says what is missing when the engine does not
    /// answer or the image is not there, unless <see cref="DockerSandboxOptions.AllowFallback"/> lets the next
    /// strongest tier run the code instead. Safe to call more than once; every <paramref name="configure"/> applies.
    /// </summary>
    public static IAutoDevBuilder AddDockerSandbox(this IAutoDevBuilder builder, Action<DockerSandboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<DockerSandboxOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<DockerSandbox>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxTier, DockerSandbox>(sp => sp.GetRequiredService<DockerSandbox>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DockerStartupCheck>());
        return builder;
    }
}
