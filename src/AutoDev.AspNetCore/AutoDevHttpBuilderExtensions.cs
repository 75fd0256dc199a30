using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AutoDev.AspNetCore;

/// <summary>Registers AutoDev's HTTP surface.</summary>
public static class AutoDevHttpBuilderExtensions
{
    /// <summary>
    /// Adds what <c>app.MapAutoDev()</c> needs: <see cref="IWorkspaceAccess"/> (by default from the user's
    /// <c>autodev:workspace</c> claims), ASP.NET Core's antiforgery, and the <c>autodev</c> OpenAPI document, which
    /// holds AutoDev's endpoints only (the host's own documents keep theirs).
    /// </summary>
    /// <param name="builder">AutoDev's builder.</param>
    /// <param name="configure">Sets <see cref="AutoDevHttpOptions"/>, for example who may change a workspace's settings.</param>
    public static IAutoDevBuilder AddHttpApi(this IAutoDevBuilder builder, Action<AutoDevHttpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<AutoDevHttpOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<IWorkspaceAccess, ClaimsWorkspaceAccess>();
        builder.Services.TryAddSingleton<WorkspaceOverview>();
        builder.Services.AddAntiforgery();
        builder.Services.AddOpenApi(AutoDevApi.DocumentName, options =>
        {
            options.ShouldInclude = description => description.GroupName == AutoDevApi.DocumentName;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "AutoDev";
                document.Info.Description = "Review and steer what AutoDev learns: the review queue, skills and their lineage, agents, settings, usage, live events.";
                return Task.CompletedTask;
            });
        });
        return builder;
    }
}
