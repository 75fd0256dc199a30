using AutoDev.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDev.Samples.Invoice;

/// <summary>Picks the chat client from the variables users of the OpenAI and Anthropic SDKs already set; otherwise a scripted one.</summary>
internal static class ChatProvider
{
    /// <summary>Registers the client and says, for the output, which one it is.</summary>
    public static string Use(IAutoDevBuilder autodev, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration["OPENAI_BASE_URL"]) || !string.IsNullOrWhiteSpace(configuration["OPENAI_API_KEY"]))
        {
            autodev.AddOpenAIChatClient();
            return $"OpenAI-compatible service, model {configuration["OPENAI_MODEL"] ?? "(set OPENAI_MODEL)"}";
        }

        if (!string.IsNullOrWhiteSpace(configuration["ANTHROPIC_API_KEY"]))
        {
            autodev.AddAnthropicChatClient();
            return $"Anthropic, model {configuration["ANTHROPIC_MODEL"] ?? "(set ANTHROPIC_MODEL)"}";
        }

        autodev.UseChatClient(new ScriptedChatClient(ScriptedAnswer));
        return "scripted chat client (set OPENAI_API_KEY / OPENAI_BASE_URL or ANTHROPIC_API_KEY for a real model)";
    }

    /// <summary>What a model typically answers to the Memento prompt: prose around a fenced function and its test cases.</summary>
    private const string ScriptedAnswer = """
        Here is a self-contained function that extracts the invoice id, with tests from the failing emails.

        ```python
        import re

        def extract_invoice_id(text: str) -> str:
            "Return the first invoice id (INV-YYYY-NNNN) in the text."
            match = re.search(r"INV-\d{4}-\d{4}", text)
            if match is None:
                raise ValueError("no invoice id in the text")
            return match.group(0)
        ```

        ```json
        [
          {"inputs": {"text": "Hi, invoice INV-2024-0042 is wrong"}, "expected": "INV-2024-0042"},
          {"inputs": {"text": "Please resend invoice #INV-2024-0077"}, "expected": "INV-2024-0077"},
          {"inputs": {"text": "Where is my order?"}, "raises": "ValueError"}
        ]
        ```

        It raises ValueError when the text holds no id, so the caller can ask a person.
        """;
}
