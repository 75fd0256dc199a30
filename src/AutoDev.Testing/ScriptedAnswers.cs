namespace AutoDev.Testing;

/// <summary>Model answers, as models really write them, for tests and demos that run the learning loops without a model.</summary>
public static class ScriptedAnswers
{
    /// <summary>
    /// An answer to the Memento prompt for "Extract invoice ID from customer emails": prose around a fenced, typed,
    /// documented <c>extract_invoice_id</c> and a fenced JSON block of three test cases (two ids, one ValueError).
    /// </summary>
    public const string ExtractInvoiceId = """
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
