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

        // A scripted model that answers each of AutoDev's prompts the way a good model would.
        autodev.UseChatClient(new ScriptedChatClient((messages, _, _) =>
        {
            var prompt = messages[^1].Text;
            var answer = prompt.Contains("You improve one Python function", StringComparison.Ordinal) ? ScriptedAnswers.ProcessInvoiceFast
                : prompt.Contains("You advise the people", StringComparison.Ordinal) ? "```json\n[]\n```"
                : ScriptedAnswers.ExtractInvoiceId;
            return Task.FromResult(ScriptedChatClient.Text(answer));
        }));
        return "scripted chat client (set OPENAI_API_KEY / OPENAI_BASE_URL or ANTHROPIC_API_KEY for a real model)";
    }
}
