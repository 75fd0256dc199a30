using System.Text;
using Microsoft.Extensions.Options;

namespace AutoDev;

/// <summary>A prompt template with a name and a version, so every generated candidate can say which prompt produced it.</summary>
/// <param name="Name">The prompt's name, for example <c>memento.generate</c>.</param>
/// <param name="Version">Its version, for example <c>1</c> or a workspace's own <c>acme-2</c>.</param>
/// <param name="Text">The text, with <c>{{placeholder}}</c>s.</param>
public sealed record PromptTemplate(string Name, string Version, string Text)
{
    /// <summary>The text with each <c>{{key}}</c> replaced by its value; placeholders without a value stay as they are.</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = new StringBuilder(Text);
        foreach (var (key, value) in values)
        {
            text.Replace("{{" + key + "}}", value);
        }

        return text.ToString();
    }
}

/// <summary>The prompt names AutoDev's engines use.</summary>
public static class PromptNames
{
    /// <summary>Memento-Skills: write a skill and its tests from failures.</summary>
    public const string MementoGenerate = "memento.generate";

    /// <summary>AlphaEvolver: write a better version of a skill, aimed at a goal.</summary>
    public const string AlphaMutate = "alpha.mutate";

    /// <summary>AlphaEvolver: write a variant of an agent's workflow definition.</summary>
    public const string AlphaWorkflow = "alpha.workflow";

    /// <summary>The advisor: guidance for a workspace's people from its learning data.</summary>
    public const string AdvisorGuidance = "advisor.guidance";
}

/// <summary>The engines' prompt templates: built-in versions, overridable per workspace.</summary>
public interface IPromptCatalog
{
    /// <summary>The template a workspace uses for a prompt: its own override, else the host's default, else the built-in one.</summary>
    /// <exception cref="KeyNotFoundException">No template has that name.</exception>
    ValueTask<PromptTemplate> GetAsync(string tenantId, string name, CancellationToken cancellationToken = default);
}

/// <summary>Prompt overrides, set with <c>AddAutoDev().ConfigurePrompts(...)</c>.</summary>
public sealed class PromptOptions
{
    /// <summary>Templates that replace the built-in ones for every workspace, by name.</summary>
    public IDictionary<string, PromptTemplate> Defaults { get; } = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);

    /// <summary>Templates of single workspaces, by workspace id, then by name.</summary>
    public IDictionary<string, IDictionary<string, PromptTemplate>> Workspaces { get; } = new Dictionary<string, IDictionary<string, PromptTemplate>>(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="template"/> the one <paramref name="tenantId"/> uses for its name.</summary>
    public PromptOptions Override(string tenantId, PromptTemplate template)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentNullException.ThrowIfNull(template);
        if (!Workspaces.TryGetValue(tenantId, out var templates))
        {
            Workspaces[tenantId] = templates = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        }

        templates[template.Name] = template;
        return this;
    }
}

/// <summary>The default <see cref="IPromptCatalog"/>: built-in templates shipped as resources of AutoDev.Core (<c>name@version.md</c>), then the options' overrides.</summary>
internal sealed class PromptCatalog(IOptions<PromptOptions> options) : IPromptCatalog
{
    private const string ResourcePrefix = "AutoDev.Prompts.";
    private static readonly Lazy<IReadOnlyDictionary<string, PromptTemplate>> BuiltIn = new(LoadBuiltIn);

    /// <summary>The built-in templates, by name (the highest version of each).</summary>
    public static IReadOnlyDictionary<string, PromptTemplate> BuiltInTemplates => BuiltIn.Value;

    /// <inheritdoc/>
    public ValueTask<PromptTemplate> GetAsync(string tenantId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        ArgumentNullException.ThrowIfNull(name);
        var value = options.Value;
        if (value.Workspaces.TryGetValue(tenantId, out var own) && own.TryGetValue(name, out var template))
        {
            return new(template);
        }

        return value.Defaults.TryGetValue(name, out template) || BuiltIn.Value.TryGetValue(name, out template)
            ? new(template)
            : throw new KeyNotFoundException($"No prompt template is named '{name}'.");
    }

    private static Dictionary<string, PromptTemplate> LoadBuiltIn()
    {
        var assembly = typeof(PromptCatalog).Assembly;
        var templates = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var file = resource[ResourcePrefix.Length..^".md".Length];
            var at = file.LastIndexOf('@');
            var (name, version) = (file[..at], file[(at + 1)..]);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            var template = new PromptTemplate(name, version, reader.ReadToEnd());
            if (!templates.TryGetValue(name, out var existing) || string.CompareOrdinal(existing.Version, version) < 0)
            {
                templates[name] = template;
            }
        }

        return templates;
    }
}
