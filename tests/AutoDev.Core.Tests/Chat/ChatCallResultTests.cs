using Microsoft.Extensions.AI;

namespace AutoDev.Tests.Chat;

/// <summary>A model's answer is text AutoDev stores (a failed candidate keeps it for the reviewer): a NUL in it must not reach a store.</summary>
public sealed class ChatCallResultTests
{
    [Fact]
    public void Text_WithANulCharacter_ComesBackWithU_FFFD_Instead()
    {
        var result = new ChatCallResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, "def f():\0\n    return 1")),
            new ChatCallRecord { TenantId = "t", Purpose = "p" },
            null);

        Assert.Equal("def f():\uFFFD\n    return 1", result.Text);
    }

    [Fact]
    public void Text_OfAFailedCall_IsEmpty()
    {
        var result = new ChatCallResult(null, new ChatCallRecord { TenantId = "t", Purpose = "p" }, new ChatServiceException(ChatFailureKind.Timeout, "late"));

        Assert.Equal(string.Empty, result.Text);
    }
}
