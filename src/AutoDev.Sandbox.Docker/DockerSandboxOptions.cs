using System.ComponentModel.DataAnnotations;

namespace AutoDev;

/// <summary>Options of the Docker sandbox tier.</summary>
public sealed class DockerSandboxOptions
{
    /// <summary>Default of <see cref="Endpoint"/>: the local engine's socket.</summary>
    public const string DefaultEndpoint = "unix:///var/run/docker.sock";

    /// <summary>Default of <see cref="Image"/>; build it with <c>build/docker-image.sh</c>.</summary>
    public const string DefaultImage = "autodev/python:3.11";

    /// <summary>Default of <see cref="ApiVersion"/>.</summary>
    public const string DefaultApiVersion = "1.41";

    /// <summary>Default of <see cref="MemoryBytes"/>: 256 MiB.</summary>
    public const long DefaultMemoryBytes = 256L * 1024 * 1024;

    /// <summary>Default of <see cref="PidsLimit"/>.</summary>
    public const int DefaultPidsLimit = 64;

    /// <summary>Default of <see cref="SharedMemoryBytes"/>: 64 MiB, as the engine's own default.</summary>
    public const long DefaultSharedMemoryBytes = 64L * 1024 * 1024;

    /// <summary>The name under which gVisor's <c>runsc</c> is usually registered with the engine, for <see cref="Runtime"/>.</summary>
    public const string GVisorRuntime = "runsc";

    /// <summary>Default of <see cref="User"/>: nobody.</summary>
    public const string DefaultUser = "65534:65534";

    /// <summary>The engine: <c>unix:///path/to/docker.sock</c> or <c>tcp://host:port</c>.</summary>
    /// <value>Default <see cref="DefaultEndpoint"/>.</value>
    [Required]
    public string Endpoint { get; set; } = DefaultEndpoint;

    /// <summary>The Engine API version to speak.</summary>
    /// <value>Default <see cref="DefaultApiVersion"/>.</value>
    [Required]
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>The image with Debian's python3 at <c>/usr/bin/python3</c>.</summary>
    /// <value>Default <see cref="DefaultImage"/>.</value>
    [Required]
    public string Image { get; set; } = DefaultImage;

    /// <summary>The container's memory limit; swap adds nothing on top.</summary>
    /// <value>Default <see cref="DefaultMemoryBytes"/>; at least 16 MiB.</value>
    [Range(16L * 1024 * 1024, long.MaxValue)]
    public long MemoryBytes { get; set; } = DefaultMemoryBytes;

    /// <summary>CPUs the container may use.</summary>
    /// <value>Default 1.</value>
    [Range(0.01, 64)]
    public double Cpus { get; set; } = 1;

    /// <summary>The most processes in the container.</summary>
    /// <value>Default <see cref="DefaultPidsLimit"/>.</value>
    [Range(8, 4096)]
    public int PidsLimit { get; set; } = DefaultPidsLimit;

    /// <summary>The tmpfs mounted at <c>/tmp</c>.</summary>
    /// <value>Default <c>rw,noexec,nosuid,size=64m</c>.</value>
    [Required]
    public string TmpfsOptions { get; set; } = "rw,noexec,nosuid,size=64m";

    /// <summary>The size of the container's <c>/dev/shm</c>, a tmpfs emptied after every execution. What code writes there counts against <see cref="MemoryBytes"/>.</summary>
    /// <value>Default <see cref="DefaultSharedMemoryBytes"/>; from 1 MiB.</value>
    [Range(1024L * 1024, long.MaxValue)]
    public long SharedMemoryBytes { get; set; } = DefaultSharedMemoryBytes;

    /// <summary>
    /// The OCI runtime containers run under, by the name the engine knows it by; <see langword="null"/> takes the
    /// engine's default (runc). <see cref="GVisorRuntime"/> runs every container under gVisor, whose own kernel stands
    /// between the code and the host's: stronger isolation, slower system calls. The engine must have it registered
    /// (for gVisor: a <c>runtimes</c> entry in the engine's <c>daemon.json</c> with <c>"runtimeArgs": ["--network=none",
    /// "--host-uds=open"]</c>, the second for <see cref="UseDirectSocket"/>).
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9_.-]*$", ErrorMessage = "Runtime must be a runtime name the Docker engine knows, for example runsc.")]
    public string? Runtime { get; set; }

    /// <summary>
    /// Whether AutoDev may run code in the next strongest tier (bubblewrap) when the Docker engine does not answer or
    /// the image is missing. Off by default: a host that added the Docker tier gets an error at start-up that says what
    /// is missing, and executions fail with <see cref="SandboxUnavailableException"/> rather than run elsewhere.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool AllowFallback { get; set; }

    /// <summary>The non-root user code runs as, <c>uid:gid</c>.</summary>
    /// <value>Default <see cref="DefaultUser"/>.</value>
    [Required]
    [RegularExpression("^[1-9][0-9]*:[1-9][0-9]*$", ErrorMessage = "User must be a non-root 'uid:gid', for example 65534:65534.")]
    public string User { get; set; } = DefaultUser;

    /// <summary>Whether executions reuse started containers (fast). When off, each execution gets a new container (cold).</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool UseWarmPool { get; set; } = true;

    /// <summary>Started containers per tenant; also the tenant's parallel executions.</summary>
    /// <value>Default 2.</value>
    [Range(1, 64)]
    public int WarmContainersPerTenant { get; set; } = 2;

    /// <summary>
    /// Whether the host talks to each container's fork server over a Unix socket of its own instead of the engine's
    /// attach stream, which copies every request and result through the engine. The host listens on a socket in a new
    /// directory under <see cref="SocketDirectory"/>, mounts that directory read-only into the container, accepts the
    /// fork server's one connection (before any code runs) and deletes the socket. Needs the engine on this machine
    /// (a <c>unix://</c> endpoint); with a <c>tcp://</c> endpoint the attach stream is used.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool UseDirectSocket { get; set; } = true;

    /// <summary>
    /// The directory on this machine under which each container's socket directory is made; it is created private to
    /// the host's user (mode 0700), so no other local user can reach a socket before the container does.
    /// </summary>
    /// <value>Default <see langword="null"/>: <c>/run/autodev/sandbox-sockets</c> as root, otherwise
    /// <c>autodev-sandbox-sockets-&lt;uid&gt;</c> in the temp directory.</value>
    public string? SocketDirectory { get; set; }

    /// <summary>How long a started container may take to connect to its socket before it counts as failed.</summary>
    /// <value>Default 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Executions after which a warm container is replaced. It is replaced at once after a time-out, a limit or a crash.</summary>
    /// <value>Default 500.</value>
    [Range(1, 100_000)]
    public int MaxExecutionsPerContainer { get; set; } = 500;
}
