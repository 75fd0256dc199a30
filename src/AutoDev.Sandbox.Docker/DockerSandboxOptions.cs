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

    /// <summary>Executions after which a warm container is replaced. It is replaced at once after a time-out, a limit or a crash.</summary>
    /// <value>Default 500.</value>
    [Range(1, 100_000)]
    public int MaxExecutionsPerContainer { get; set; } = 500;
}
