using System.ComponentModel.DataAnnotations;

namespace AutoDev;

/// <summary>Options of the sandbox tiers in AutoDev.Core and of tier selection.</summary>
public sealed class SandboxOptions : IValidatableObject
{
    /// <summary>Default of <see cref="PythonPath"/>: Debian's python3.</summary>
    public const string DefaultPythonPath = "/usr/bin/python3";

    /// <summary>Default of <see cref="BubblewrapPath"/>.</summary>
    public const string DefaultBubblewrapPath = "/usr/bin/bwrap";

    /// <summary>Default of <see cref="SandboxUserId"/>: nobody.</summary>
    public const int DefaultSandboxUserId = 65534;

    /// <summary>Default of <see cref="SandboxUserIdRangeStart"/>.</summary>
    public const int DefaultSandboxUserIdRangeStart = 400_000;

    /// <summary>Default of <see cref="SandboxUserIdRangeSize"/>.</summary>
    public const int DefaultSandboxUserIdRangeSize = 4096;

    /// <summary>Default of <see cref="WarmWorkersPerTenant"/>.</summary>
    public const int DefaultWarmWorkersPerTenant = 2;

    /// <summary>Default of <see cref="WorkerMemoryBytes"/>: 256 MiB, as the Docker tier's containers.</summary>
    public const long DefaultWorkerMemoryBytes = 256L * 1024 * 1024;

    /// <summary>Default of <see cref="MaxExecutionsPerWorker"/>.</summary>
    public const int DefaultMaxExecutionsPerWorker = 500;

    /// <summary>Default of <see cref="PreloadedModules"/>: <c>typing</c>, <c>math</c>, <c>copy</c>, <c>string</c>, <c>heapq</c> and <c>bisect</c>, besides <c>json</c>, <c>re</c>, <c>collections</c>, <c>functools</c> and <c>itertools</c>, which the runner loads anyway.</summary>
    public static IReadOnlyList<string> DefaultPreloadedModules { get; } = ["typing", "math", "copy", "string", "heapq", "bisect"];

    /// <summary>The Python interpreter, called by absolute path.</summary>
    /// <value>Default <see cref="DefaultPythonPath"/>.</value>
    [Required]
    public string PythonPath { get; set; } = DefaultPythonPath;

    /// <summary>The bubblewrap executable.</summary>
    /// <value>Default <see cref="DefaultBubblewrapPath"/>.</value>
    [Required]
    public string BubblewrapPath { get; set; } = DefaultBubblewrapPath;

    /// <summary>The user id sandboxed code sees inside the bubblewrap tier.</summary>
    /// <value>Default <see cref="DefaultSandboxUserId"/>.</value>
    [Range(1, int.MaxValue)]
    public int SandboxUserId { get; set; } = DefaultSandboxUserId;

    /// <summary>
    /// When the host runs as root, every sandbox (a warm bubblewrap worker, one process-tier execution) runs on the host
    /// as a user id of its own from this range, so its process limit counts only its own processes and no sandbox can
    /// signal another. Choose ids no account uses. Code never runs as root.
    /// </summary>
    /// <value>Default <see cref="DefaultSandboxUserIdRangeStart"/>.</value>
    [Range(1000, int.MaxValue)]
    public int SandboxUserIdRangeStart { get; set; } = DefaultSandboxUserIdRangeStart;

    /// <summary>How many ids the range holds: the most sandboxes alive at once.</summary>
    /// <value>Default <see cref="DefaultSandboxUserIdRangeSize"/>.</value>
    [Range(1, 1_000_000)]
    public int SandboxUserIdRangeSize { get; set; } = DefaultSandboxUserIdRangeSize;

    /// <summary>
    /// Opts in, by name, to running MEDIUM and HIGH safety code in the weak process tier when no stronger tier is
    /// available. Off by default: such code is refused instead.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool AllowProcessTierForUntrustedCode { get; set; }

    /// <summary>
    /// The memory limit of each warm bubblewrap worker, enforced by a memory cgroup of its own when the host runs as
    /// root: the fork server, the execution and everything it holds (files in <c>/tmp</c> and <c>/dev/shm</c>,
    /// memfd files, SysV segments) count against it, with no swap on top; an execution past it is killed
    /// (<see cref="SandboxStatus.ResourceLimit"/>). Each execution's own address-space limit
    /// (<see cref="SandboxRequest.MemoryLimitBytes"/>) applies inside it.
    /// </summary>
    /// <value>Default <see cref="DefaultWorkerMemoryBytes"/>; at least 64 MiB.</value>
    [Range(64L * 1024 * 1024, long.MaxValue)]
    public long WorkerMemoryBytes { get; set; } = DefaultWorkerMemoryBytes;

    /// <summary>
    /// Opts in, by name, to running <see cref="SafetyLevel.High"/> code in the bubblewrap tier where it cannot make a
    /// memory cgroup (the host does not run as root, or the cgroup file system is not writable). There, memory the code
    /// holds outside its address space (files in <c>/tmp</c> and <c>/dev/shm</c> up to their sizes, memfd files,
    /// SysV segments) is bounded by nothing but those sizes and the execution's time-out. Off by default: such
    /// requests are refused with <see cref="SandboxRefusedException"/>.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool AllowBubblewrapWithoutMemoryCgroup { get; set; }

    /// <summary>Fork servers kept started per tenant in a warm tier; also the tenant's parallel executions.</summary>
    /// <value>Default <see cref="DefaultWarmWorkersPerTenant"/>; allowed 1 to 64.</value>
    [Range(1, 64)]
    public int WarmWorkersPerTenant { get; set; } = DefaultWarmWorkersPerTenant;

    /// <summary>Executions after which a warm fork server is recycled. It is recycled at once after a time-out, a limit or a crash.</summary>
    /// <value>Default <see cref="DefaultMaxExecutionsPerWorker"/>; allowed 1 to 100,000.</value>
    [Range(1, 100_000)]
    public int MaxExecutionsPerWorker { get; set; } = DefaultMaxExecutionsPerWorker;

    /// <summary>
    /// Resumes the caller of <see cref="ISandbox.ExecuteAsync"/> on the thread that reads the warm fork server's
    /// answers (each warm worker has one of its own), instead of on the thread pool. Named like Kestrel's socket
    /// option of the same name, for the same trade: on a machine whose cores are busy running sandboxed code, every
    /// hand-off to the thread pool (a wake-up, then spinning before it sleeps again) is CPU taken from that code; on
    /// two cores the one hand-off per execution left by default took about 5% of the CPU of a HumanEval run
    /// (docs/sandboxes.md). Unsafe because the code after your <c>await</c> runs on that worker's thread: code that
    /// blocks there (a synchronous wait, a long computation) delays that worker's next answer until it returns. Turn it
    /// on only when the code awaiting executions does not block. Applies to the warm bubblewrap workers, and to warm
    /// Docker containers reached over their direct socket.
    /// </summary>
    /// <value>Default <see langword="false"/>: callers resume on the thread pool.</value>
    public bool UnsafePreferInlineScheduling { get; set; }

    /// <summary>
    /// Standard-library modules each warm fork server (bubblewrap, Docker) imports once, before it forks any child, so
    /// that executions importing them find them loaded. On this project's reference machine an execution that imports
    /// <c>typing</c> itself spends about 8 ms and 700 page faults on it; preloaded, nothing. Each preloaded module makes
    /// every fork a little dearer, so the list holds what LLM-written code imports most. Add to it, or clear it. A module
    /// the sandbox's Python lacks is skipped. Modules that seed state per process (such as <c>random</c>) reseed in
    /// every child and cost each execution, whether it uses them or not. Preload only modules that start no threads when
    /// imported: a fork copies only the forking thread.
    /// </summary>
    /// <value>Default <see cref="DefaultPreloadedModules"/>. Each a module name such as <c>collections.abc</c>.</value>
    public IList<string> PreloadedModules { get; } = [.. DefaultPreloadedModules];

    /// <summary>Output caps and process, file limits passed to the runner.</summary>
    public SandboxLimits Limits { get; set; } = SandboxLimits.Default;

    /// <summary>Tiers to leave out of automatic selection, by name (for example <c>bubblewrap</c> on a host without user namespaces).</summary>
    public ISet<string> DisabledTiers { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (PythonRunner.ModuleNameError(PreloadedModules) is { } error)
        {
            yield return new ValidationResult($"{nameof(PreloadedModules)}: {error}", [nameof(PreloadedModules)]);
        }
    }
}

/// <summary>A sandbox refused to run a request because policy forbids it there (for example MEDIUM safety code in the process tier).</summary>
public sealed class SandboxRefusedException : AutoDevException
{
    /// <summary>Creates the exception.</summary>
    public SandboxRefusedException(string tier, string message)
        : base(message)
    {
        Tier = tier;
    }

    /// <summary>The tier that refused.</summary>
    public string Tier { get; }
}
