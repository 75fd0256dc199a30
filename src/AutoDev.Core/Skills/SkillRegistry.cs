using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoDev;

/// <summary>A skill with its active version and its history.</summary>
/// <param name="Skill">The skill.</param>
/// <param name="ActiveVersion">The version agents run.</param>
/// <param name="Versions">Every version, lowest first.</param>
public sealed record SkillDetails(Skill Skill, SkillVersion ActiveVersion, IReadOnlyList<SkillVersion> Versions);

/// <summary>The workspace's skills: versions, history, rollback, lineage, and skill packages (zip) to move skills between workspaces.</summary>
/// <remarks>Every agent of a workspace sees its skills. Thread-safe singleton.</remarks>
public interface ISkillRegistry
{
    /// <summary>The skill of that name with its versions, or null.</summary>
    Task<SkillDetails?> FindAsync(string tenantId, string name, CancellationToken cancellationToken = default);

    /// <summary>Every skill of the workspace, by name.</summary>
    IAsyncEnumerable<Skill> ListAsync(string tenantId, CancellationToken cancellationToken = default);

    /// <summary>Makes an earlier (or later) version the active one.</summary>
    /// <exception cref="EntityNotFoundException">No such skill or version.</exception>
    Task<Skill> RollbackAsync(string tenantId, string name, SemanticVersion version, CancellationToken cancellationToken = default);

    /// <summary>The lineage of a version (the active one when <paramref name="version"/> is null): where it came from and what came of it.</summary>
    /// <exception cref="EntityNotFoundException">No such skill or version.</exception>
    Task<Lineage<SkillVersion>> GetLineageAsync(string tenantId, string name, SemanticVersion? version = null, CancellationToken cancellationToken = default);

    /// <summary>Writes the active version as a skill package: a zip with <c>manifest.json</c> (name, version, description, entry point, tests, lineage), the code and a README.</summary>
    /// <exception cref="EntityNotFoundException">No such skill.</exception>
    Task ExportAsync(string tenantId, string name, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a skill package into the workspace as a skill candidate, which is validated in the sandbox (its tests run)
    /// and then waits for review like a learned one; approved, it becomes the package's version (of a new skill, or of
    /// the skill of that name, whose active version becomes its parent). The package's code is untrusted until then:
    /// it is not offered as a tool. A host that trusts its packages sets <see cref="SkillImportOptions.TrustWithoutReview"/>;
    /// a candidate that passed validation is then promoted at once. The manifest's <c>code_sha256</c> must match the code.
    /// </summary>
    /// <returns>The candidate: validated and waiting for review, failed with the reason, or promoted (trusted).</returns>
    /// <exception cref="InvalidDataException">The package is not a valid skill package, or its hash does not match; the message says what is wrong.</exception>
    /// <exception cref="DuplicateEntityException">The skill already has that version.</exception>
    Task<SkillCandidate> ImportAsync(string tenantId, Stream source, SkillImportOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the active version in the Agent Skills format, which Agent Framework and other runtimes load: a folder
    /// named after the skill (<c>extract-invoice-id</c>) under <paramref name="directory"/>, with <c>SKILL.md</c> (front
    /// matter: name, description, and AutoDev's version, entry point and code hash under <c>metadata</c>), the code as
    /// <c>scripts/extract_invoice_id.py</c>, and its tests as <c>tests.json</c> beside <c>SKILL.md</c>.
    /// </summary>
    /// <returns>The skill's folder.</returns>
    /// <exception cref="EntityNotFoundException">No such skill.</exception>
    Task<string> ExportAgentSkillAsync(string tenantId, string name, string directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads an Agent Skills folder (as <see cref="ExportAgentSkillAsync"/> writes it, or from another runtime: the code
    /// is the script named after the skill) into the workspace like <see cref="ImportAsync"/>: validated in the sandbox,
    /// then waiting for review unless <see cref="SkillImportOptions.TrustWithoutReview"/>. A <c>metadata.autodev-code-sha256</c> must match the code.
    /// </summary>
    /// <exception cref="InvalidDataException">The folder is not a usable skill; the message says what is wrong.</exception>
    /// <exception cref="DuplicateEntityException">The skill already has that version.</exception>
    Task<SkillCandidate> ImportAgentSkillAsync(string tenantId, string skillDirectory, SkillImportOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a hand-written skill (a tool the host already has) at version 1.0.0, so that AlphaEvolver can improve it.
    /// Its tests, as JSON cases (see <see cref="SkillTests"/>), are what every mutation must keep passing.
    /// </summary>
    /// <exception cref="ArgumentException">The code does not define <paramref name="entryPoint"/>, or the tests are unusable.</exception>
    /// <exception cref="DuplicateEntityException">The workspace already has a skill of that name.</exception>
    Task<SkillVersion> RegisterAsync(string tenantId, string name, string code, string entryPoint, string testsJson, string description = "", CancellationToken cancellationToken = default);
}

/// <summary>How <see cref="ISkillRegistry.ImportAsync"/> treats a package.</summary>
public sealed record SkillImportOptions
{
    /// <summary>
    /// Promote the package's code as soon as it passes validation, without a person's review. Off by default: only a
    /// host that trusts where its packages come from should set it.
    /// </summary>
    public bool TrustWithoutReview { get; init; }
}

/// <summary>The default <see cref="ISkillRegistry"/>, over <see cref="ISkillStore"/>; imports go through review like learned skills.</summary>
internal sealed class SkillRegistry : ISkillRegistry
{
    /// <summary>The agent id imported candidates carry: <c>autodev-import</c>.</summary>
    public const string ImportAgentId = "autodev-import";

    private readonly ISkillStore skills;
    private readonly ISkillCandidateStore candidates;
    private readonly MementoEngine validator;
    private readonly SkillPromoter promoter;
    private readonly IEventBus events;
    private readonly TimeProvider time;

    internal SkillRegistry(ISkillStore skills, ISkillCandidateStore candidates, MementoEngine validator, SkillPromoter promoter, IEventBus events, TimeProvider time) =>
        (this.skills, this.candidates, this.validator, this.promoter, this.events, this.time) = (skills, candidates, validator, promoter, events, time);

    /// <summary>The package format this registry writes and reads.</summary>
    public const string PackageFormat = "autodev-skill/1";

    /// <summary>The longest skill description: 4,000 characters.</summary>
    public const int MaxDescriptionLength = 4_000;

    /// <inheritdoc/>
    public async Task<SkillDetails?> FindAsync(string tenantId, string name, CancellationToken cancellationToken = default)
    {
        var skill = await skills.FindByNameAsync(tenantId, name, cancellationToken).ConfigureAwait(false);
        if (skill is null)
        {
            return null;
        }

        var versions = new List<SkillVersion>();
        await foreach (var version in skills.ListVersionsAsync(tenantId, skill.Id, cancellationToken).ConfigureAwait(false))
        {
            versions.Add(version);
        }

        return new SkillDetails(skill, versions.Find(v => v.Id == skill.ActiveVersionId) ?? versions[^1], versions);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<Skill> ListAsync(string tenantId, CancellationToken cancellationToken = default) => skills.ListAsync(tenantId, cancellationToken);

    /// <inheritdoc/>
    public async Task<Skill> RollbackAsync(string tenantId, string name, SemanticVersion version, CancellationToken cancellationToken = default)
    {
        var details = await GetAsync(tenantId, name, cancellationToken).ConfigureAwait(false);
        var target = details.Versions.FirstOrDefault(v => v.Version == version)
            ?? throw new EntityNotFoundException(nameof(SkillVersion), tenantId, $"{name} {version}");
        var skill = await skills.SetActiveVersionAsync(tenantId, details.Skill.Id, target.Id, cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(new SkillRolledBack { TenantId = tenantId, Skill = skill, Version = target, OccurredAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        return skill;
    }

    /// <inheritdoc/>
    public async Task<Lineage<SkillVersion>> GetLineageAsync(string tenantId, string name, SemanticVersion? version = null, CancellationToken cancellationToken = default)
    {
        var details = await GetAsync(tenantId, name, cancellationToken).ConfigureAwait(false);
        var target = version is { } wanted
            ? details.Versions.FirstOrDefault(v => v.Version == wanted) ?? throw new EntityNotFoundException(nameof(SkillVersion), tenantId, $"{name} {wanted}")
            : details.ActiveVersion;
        return await skills.GetLineageAsync(tenantId, target.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task ExportAsync(string tenantId, string name, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var details = await GetAsync(tenantId, name, cancellationToken).ConfigureAwait(false);
        if (!SkillNames.IsValid(details.Skill.Name))
        {
            throw new InvalidOperationException($"The skill's stored name is not a valid skill name ({SkillNames.MaxLength} characters at most, a Python identifier); it cannot be exported.");
        }

        var active = details.ActiveVersion;
        var lineage = await skills.GetLineageAsync(tenantId, active.Id, cancellationToken).ConfigureAwait(false);
        var codeFile = $"{details.Skill.Name}.py";
        var manifest = new SkillManifest
        {
            Format = PackageFormat,
            Name = details.Skill.Name,
            Version = active.Version.ToString(),
            Description = details.Skill.Description,
            EntryPoint = active.EntryPoint,
            CodeFile = codeFile,
            CodeSha256 = Sha256(active.Code),
            Tests = string.IsNullOrWhiteSpace(active.TestCasesJson) ? null : JsonDocument.Parse(active.TestCasesJson).RootElement.Clone(),
            Lineage = [.. lineage.Ancestors.Reverse().Append(active).Select(v => new SkillManifestVersion(v.Version.ToString(), v.Id, v.ParentVersionId))],
            ExportedAt = time.GetUtcNow(),
        };

        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        await WriteAsync(zip, "manifest.json", JsonSerializer.Serialize(manifest, SkillPackageJson.Default.SkillManifest), cancellationToken).ConfigureAwait(false);
        await WriteAsync(zip, codeFile, active.Code, cancellationToken).ConfigureAwait(false);
        await WriteAsync(zip, "README.md", Readme(manifest), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<SkillCandidate> ImportAsync(string tenantId, Stream source, SkillImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        Internal.Guard.Id(tenantId);
        SkillManifest manifest;
        string code;
        try
        {
            using var zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
            manifest = JsonSerializer.Deserialize(await ReadAsync(zip, "manifest.json", cancellationToken).ConfigureAwait(false), SkillPackageJson.Default.SkillManifest)
                ?? throw new InvalidDataException("manifest.json is empty.");
            code = await ReadAsync(zip, manifest.CodeFile ?? $"{manifest.Name}.py", cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"manifest.json is not a skill manifest: {ex.Message}", ex);
        }

        return await ImportCoreAsync(tenantId, manifest, code, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<string> ExportAgentSkillAsync(string tenantId, string name, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var details = await GetAsync(tenantId, name, cancellationToken).ConfigureAwait(false);
        return await AgentSkillFolder.WriteAsync(details, Sha256(details.ActiveVersion.Code), directory, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<SkillCandidate> ImportAgentSkillAsync(string tenantId, string skillDirectory, SkillImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        var (manifest, code) = await AgentSkillFolder.ReadAsync(skillDirectory, PackageFormat, Sha256, cancellationToken).ConfigureAwait(false);
        return await ImportCoreAsync(tenantId, manifest, code, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The checks and the candidate every import shares, whatever the package's form.</summary>
    private async Task<SkillCandidate> ImportCoreAsync(string tenantId, SkillManifest manifest, string code, SkillImportOptions? options, CancellationToken cancellationToken)
    {
        if (manifest.Format != PackageFormat)
        {
            throw new InvalidDataException($"The package format is '{manifest.Format}'; this AutoDev reads '{PackageFormat}'.");
        }

        if (!SkillNames.IsValid(manifest.Name) || !SkillNames.IsValid(manifest.EntryPoint) || !SemanticVersion.TryParse(manifest.Version, out var number))
        {
            throw new InvalidDataException($"The manifest needs a name and an entry point that are Python identifiers of at most {SkillNames.MaxLength} characters, and a version like 1.2.0 (parts up to {SemanticVersion.MaxPart}).");
        }

        if (manifest.Description?.Length > MaxDescriptionLength)
        {
            throw new InvalidDataException($"The description is longer than {MaxDescriptionLength:N0} characters.");
        }

        if (manifest.CodeSha256 is not { Length: > 0 } hash)
        {
            throw new InvalidDataException("The manifest has no code_sha256; a package without its code's hash cannot be checked.");
        }

        if (!string.Equals(hash, Sha256(code), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException("The code does not match the manifest's code_sha256: the package was changed after it was written.");
        }

        if (!ModelAnswers.TopLevelFunctions(code).Contains(manifest.EntryPoint))
        {
            throw new InvalidDataException($"The code does not define the entry point '{manifest.EntryPoint}'.");
        }

        var tests = manifest.Tests is { } t ? SkillTests.Normalize(t.GetRawText()) : (Json: string.Empty, Problem: null);
        if (tests.Problem is not null)
        {
            throw new InvalidDataException($"The package's tests are unusable: {tests.Problem}");
        }

        if (await FindAsync(tenantId, manifest.Name, cancellationToken).ConfigureAwait(false) is { } existing && existing.Versions.Any(v => v.Version == number))
        {
            throw new DuplicateEntityException(nameof(SkillVersion), tenantId, $"{manifest.Name} {number}");
        }

        var now = time.GetUtcNow();
        var added = await candidates.AddAsync(new SkillCandidate
        {
            TenantId = tenantId,
            AgentId = ImportAgentId,
            Name = manifest.Name,
            EntryPoint = manifest.EntryPoint,
            Code = code,
            TestCasesJson = tests.Json ?? string.Empty,
            Description = manifest.Description ?? string.Empty,
            PatternKey = $"import: {manifest.Name} {number} {hash.ToLowerInvariant()}",
            ImportedVersion = number,
            CreatedAt = now,
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);

        // The same package imported again finds its open candidate; a pending one is validated now either way.
        var candidate = await validator.ValidateCandidateAsync(tenantId, added.Entity.Id, cancellationToken).ConfigureAwait(false);
        if (options?.TrustWithoutReview == true && candidate.Status == SkillCandidateStatus.Validated)
        {
            var review = Review.Create(ImportAgentId, ReviewDecision.Approved, "Imported without review: the host trusts its skill packages (SkillImportOptions.TrustWithoutReview).", time.GetUtcNow());
            await promoter.PromoteAsync(candidate, review, cancellationToken).ConfigureAwait(false);
            candidate = await candidates.FindAsync(tenantId, candidate.Id, cancellationToken).ConfigureAwait(false) ?? candidate;
        }

        return candidate;
    }

    /// <inheritdoc/>
    public async Task<SkillVersion> RegisterAsync(string tenantId, string name, string code, string entryPoint, string testsJson, string description = "", CancellationToken cancellationToken = default)
    {
        Internal.Guard.Id(tenantId);
        SkillNames.Ensure(name);
        ArgumentNullException.ThrowIfNull(code);
        SkillNames.Ensure(entryPoint);
        ArgumentNullException.ThrowIfNull(testsJson);
        if (description?.Length > MaxDescriptionLength)
        {
            throw new ArgumentException($"The description is longer than {MaxDescriptionLength:N0} characters.", nameof(description));
        }
        if (!ModelAnswers.TopLevelFunctions(code).Contains(entryPoint))
        {
            throw new ArgumentException($"The code does not define the entry point '{entryPoint}'.", nameof(code));
        }

        var (tests, problem) = SkillTests.Normalize(testsJson);
        if (tests is null)
        {
            throw new ArgumentException($"The tests are unusable: {problem}", nameof(testsJson));
        }

        var now = time.GetUtcNow();
        var skill = new Skill { TenantId = tenantId, Name = name, Description = description ?? string.Empty, CreatedAt = now };
        var version = new SkillVersion { TenantId = tenantId, SkillId = skill.Id, Version = SemanticVersion.Initial, Code = code, EntryPoint = entryPoint, TestCasesJson = tests, CreatedAt = now };
        var added = await skills.AddAsync(skill, version, cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(new SkillRegistered { TenantId = tenantId, Skill = added, Version = version, OccurredAt = now }, cancellationToken).ConfigureAwait(false);
        return version;
    }

    private static string Sha256(string code) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    private async Task<SkillDetails> GetAsync(string tenantId, string name, CancellationToken cancellationToken) =>
        await FindAsync(tenantId, name, cancellationToken).ConfigureAwait(false) ?? throw new EntityNotFoundException(nameof(Skill), tenantId, name);

    private static async Task WriteAsync(ZipArchive zip, string name, string text, CancellationToken cancellationToken)
    {
        var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string> ReadAsync(ZipArchive zip, string name, CancellationToken cancellationToken)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The package has no {name}.");
        if (entry.Length > 1024 * 1024)
        {
            throw new InvalidDataException($"{name} is larger than 1 MiB.");
        }

        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Readme(SkillManifest manifest) => new StringBuilder()
        .Append("# ").Append(manifest.Name).Append(' ').AppendLine(manifest.Version)
        .AppendLine()
        .AppendLine(string.IsNullOrWhiteSpace(manifest.Description) ? "An AutoDev skill." : manifest.Description)
        .AppendLine()
        .Append("Entry point: `").Append(manifest.EntryPoint).Append("` in `").Append(manifest.CodeFile).AppendLine("`.")
        .Append("Lineage: ").AppendLine(string.Join(" → ", manifest.Lineage.Select(v => v.Version)))
        .AppendLine()
        .AppendLine("Import it into a workspace with `ISkillRegistry.ImportAsync`: it is validated and waits for review. Its tests are in `manifest.json`.")
        .ToString();
}

/// <summary>The manifest of a skill package.</summary>
internal sealed class SkillManifest
{
    [JsonPropertyName("format")]
    public string? Format { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("version")]
    public string Version { get; set; } = string.Empty;

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("entry_point")]
    public string EntryPoint { get; set; } = string.Empty;

    [JsonPropertyName("code_file")]
    public string? CodeFile { get; set; }

    [JsonPropertyName("code_sha256")]
    public string? CodeSha256 { get; set; }

    [JsonPropertyName("tests")]
    public JsonElement? Tests { get; set; }

    [JsonPropertyName("lineage")]
    public List<SkillManifestVersion> Lineage { get; set; } = [];

    [JsonPropertyName("exported_at")]
    public DateTimeOffset ExportedAt { get; set; }
}

/// <summary>A version in a package's lineage, oldest first.</summary>
internal sealed record SkillManifestVersion(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("parent_id")] Guid? ParentId);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(SkillManifest))]
internal sealed partial class SkillPackageJson : JsonSerializerContext;
