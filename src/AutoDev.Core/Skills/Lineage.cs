namespace AutoDev;

/// <summary>An entity with the chain it came from and everything derived from it.</summary>
/// <typeparam name="T">The entity type.</typeparam>
/// <param name="Self">The entity asked about.</param>
/// <param name="Ancestors">Its parent, grandparent and so on, nearest first.</param>
/// <param name="Descendants">Everything derived from it, breadth first.</param>
public sealed record Lineage<T>(T Self, IReadOnlyList<T> Ancestors, IReadOnlyList<T> Descendants);
