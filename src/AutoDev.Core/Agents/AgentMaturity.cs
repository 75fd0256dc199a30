namespace AutoDev;

/// <summary>How much an agent is trusted to change itself. Each level unlocks more capabilities (see <see cref="ICapabilityGate"/>).</summary>
public enum AgentMaturity
{
    /// <summary>Learns nothing by itself.</summary>
    Student = 0,

    /// <summary>May propose new skills (Memento-Skills).</summary>
    Intern = 1,

    /// <summary>May also mutate skills (AlphaEvolver).</summary>
    Supervised = 2,

    /// <summary>May also run background evolution, and auto-promote where the workspace allows it.</summary>
    Autonomous = 3,
}
