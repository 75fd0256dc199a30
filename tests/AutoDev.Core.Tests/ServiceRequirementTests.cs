using AutoDev.Testing;

namespace AutoDev.Tests;

/// <summary>CI systems set <c>CI</c> in several ways; each must make a missing service fail the test, never skip it.</summary>
public sealed class ServiceRequirementTests
{
    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData(" on ", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsTruthy_AcceptsTheUsualWaysOfSayingOn(string? value, bool expected) =>
        Assert.Equal(expected, ServiceRequirement.IsTruthy(value));
}
