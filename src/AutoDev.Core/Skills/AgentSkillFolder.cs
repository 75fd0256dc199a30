using System.Text;
using System.Text.Json;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AutoDev;

/// <summary>
/// A skill in the Agent Skills format: a folder named after it (lower-case words joined by hyphens), holding
/// <c>SKILL.md</c> (YAML front matter with <c>name</c>, <c>description</c> and a <c>metadata</c> map, then instructions),
/// the code as <c>scripts/&lt;python name&gt;.py</c>, and the tests as <c>tests.json</c>. The front matter is read and
/// written with YamlDotNet.
/// </summary>
internal static class AgentSkillFolder
{
    public const string SkillFile = "SKILL.md";
    public const string TestsFile = "tests.json";
    private const string VersionKey = "autodev-version";
    private const string EntryPointKey = "autodev-entry-point";
    private const string HashKey = "autodev-code-sha256";

    /// <summary>The Agent Skills name of a skill: <c>extract_invoice_id</c> → <c>extract-invoice-id</c>.</summary>
    public static string FolderNameOf(string skillName) => skillName.ToLowerInvariant().Replace('_', '-');

    public static async Task<string> WriteAsync(SkillDetails details, string codeSha256, string directory, CancellationToken cancellationToken)
    {
        var name = details.Skill.Name;
        if (!SkillNames.IsValid(name))
        {
            throw new InvalidOperationException($"The skill's stored name is not a valid skill name; it cannot be exported.");
        }

        var active = details.ActiveVersion;
        var folder = Path.Combine(directory, FolderNameOf(name));
        Directory.CreateDirectory(Path.Combine(folder, "scripts"));
        var description = ModelAnswers.Docstring(active.Code, active.EntryPoint) ?? (details.Skill.Description.Length > 0 ? details.Skill.Description : $"The skill {name}.");
        var front = new FrontMatter
        {
            Name = FolderNameOf(name),
            Description = description.Length <= 1024 ? description : description[..1024],
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [VersionKey] = active.Version.ToString(),
                [EntryPointKey] = active.EntryPoint,
                [HashKey] = codeSha256,
            },
        };
        var yaml = new SerializerBuilder().WithNamingConvention(LowerCaseNamingConvention.Instance).Build().Serialize(front);
        var body = new StringBuilder("---\n").Append(yaml).Append("---\n\n")
            .Append("# ").Append(name).Append("\n\n").Append(description).Append("\n\n")
            .Append("Call `").Append(active.EntryPoint).Append("` in `scripts/").Append(name).Append(".py` with keyword arguments. ")
            .Append("Its test cases are in `").Append(TestsFile).Append("`: each gives the inputs and the value returned or the exception raised.\n")
            .Append("Learned and reviewed with AutoDev; version ").Append(active.Version).Append(".\n");
        await File.WriteAllTextAsync(Path.Combine(folder, SkillFile), body.ToString(), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "scripts", name + ".py"), active.Code, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, TestsFile), string.IsNullOrWhiteSpace(active.TestCasesJson) ? "[]" : active.TestCasesJson, cancellationToken).ConfigureAwait(false);
        return folder;
    }

    /// <summary>Reads a folder into the manifest and code an import checks; the manifest carries the hash of the code read when the folder names none.</summary>
    /// <exception cref="InvalidDataException">What is missing or malformed, named.</exception>
    public static async Task<(SkillManifest Manifest, string Code)> ReadAsync(string folder, string format, Func<string, string> sha256, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var skillFile = Path.Combine(folder, SkillFile);
        if (!File.Exists(skillFile))
        {
            throw new InvalidDataException($"The folder has no {SkillFile}.");
        }

        var text = (await File.ReadAllTextAsync(skillFile, cancellationToken).ConfigureAwait(false)).ReplaceLineEndings("\n");
        var end = text.StartsWith("---\n", StringComparison.Ordinal) ? text.IndexOf("\n---", 3, StringComparison.Ordinal) : -1;
        if (end < 0)
        {
            throw new InvalidDataException($"{SkillFile} has no front matter between --- lines.");
        }

        FrontMatter front;
        try
        {
            front = new DeserializerBuilder().WithNamingConvention(LowerCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
                .Deserialize<FrontMatter>(text[4..end]) ?? new FrontMatter();
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InvalidDataException($"{SkillFile}'s front matter is not YAML: {ex.Message}", ex);
        }

        var name = (front.Name ?? string.Empty).Replace('-', '_');
        if (!SkillNames.IsValid(name))
        {
            throw new InvalidDataException($"{SkillFile}'s name '{front.Name}' is not a skill name: lower-case letters, digits and hyphens, at most {SkillNames.MaxLength} characters.");
        }

        var codeFile = Path.Combine(folder, "scripts", name + ".py");
        if (!File.Exists(codeFile))
        {
            throw new InvalidDataException($"The folder has no scripts/{name}.py, the skill's code.");
        }

        var code = await File.ReadAllTextAsync(codeFile, cancellationToken).ConfigureAwait(false);
        var metadata = front.Metadata ?? [];
        JsonElement? tests = null;
        var testsFile = Path.Combine(folder, TestsFile);
        if (File.Exists(testsFile))
        {
            try
            {
                using var document = JsonDocument.Parse(await File.ReadAllTextAsync(testsFile, cancellationToken).ConfigureAwait(false));
                tests = document.RootElement.GetArrayLength() == 0 ? null : document.RootElement.Clone();
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                throw new InvalidDataException($"{TestsFile} is not a JSON array of test cases: {ex.Message}", ex);
            }
        }

        return (new SkillManifest
        {
            Format = format,
            Name = name,
            Version = metadata.GetValueOrDefault(VersionKey) ?? SemanticVersion.Initial.ToString(),
            Description = front.Description,
            EntryPoint = metadata.GetValueOrDefault(EntryPointKey) ?? name,
            CodeSha256 = metadata.GetValueOrDefault(HashKey) ?? sha256(code),
            Tests = tests,
        }, code);
    }

    /// <summary>The front matter of <c>SKILL.md</c>.</summary>
    internal sealed class FrontMatter
    {
        public string? Name { get; set; }

        public string? Description { get; set; }

        public Dictionary<string, string>? Metadata { get; set; }
    }
}
