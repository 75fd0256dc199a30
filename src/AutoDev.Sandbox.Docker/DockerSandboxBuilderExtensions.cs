using AutoDev;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Docker sandbox tier.</summary>
public static class DockerSandboxBuilderExtensions
{
    /// <summary>
    /// Adds the Docker tier to automatic sandbox selection; being the strongest, it runs every request while the
    /// engine answers and the image exists. Safe to call more than once; every <paramref name="configure"/> applies.
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
        return builder;
    }
}
