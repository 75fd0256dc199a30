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

    /// <summary>
    /// A slow skill for AlphaEvolver demos and tests: <c>process_invoice</c> totals an invoice by a linear search of a
    /// 20,000-item catalogue for every line.
    /// </summary>
    public const string ProcessInvoiceSlow = """
        CATALOG = [{"id": f"SKU-{i:05d}", "price_cents": (i * 37) % 9000 + 100} for i in range(20000)]


        def process_invoice(invoice_id: str, items: list) -> dict:
            "Total an invoice: each item is [sku, quantity]; prices come from the catalogue."
            total = 0
            for sku, quantity in items:
                for product in CATALOG:
                    if product["id"] == sku:
                        total += product["price_cents"] * quantity
                        break
                else:
                    raise ValueError(f"unknown item {sku}")
            return {"invoice_id": invoice_id, "total_cents": total, "lines": len(items)}
        """;

    /// <summary>The tests of <see cref="ProcessInvoiceSlow"/>: two totals and an unknown item.</summary>
    public const string ProcessInvoiceTests = """
        [{"inputs": {"invoice_id": "INV-2024-0042", "items": [["SKU-19999", 2], ["SKU-15000", 1]]}, "expected": {"invoice_id": "INV-2024-0042", "total_cents": 10226, "lines": 2}},
         {"inputs": {"invoice_id": "INV-2024-0077", "items": [["SKU-00007", 3], ["SKU-12345", 1], ["SKU-18000", 4]]}, "expected": {"invoice_id": "INV-2024-0077", "total_cents": 8342, "lines": 3}},
         {"inputs": {"invoice_id": "INV-2024-0099", "items": [["SKU-99999", 1]]}, "raises": "ValueError"}]
        """;

    /// <summary>An answer to the AlphaEvolver prompt for <see cref="ProcessInvoiceSlow"/>: the same answers from a dictionary built once.</summary>
    public const string ProcessInvoiceFast = """
        The catalogue is searched linearly for every line. Building a dictionary once makes each look-up constant time:

        ```python
        CATALOG = [{"id": f"SKU-{i:05d}", "price_cents": (i * 37) % 9000 + 100} for i in range(20000)]
        PRICES = {product["id"]: product["price_cents"] for product in CATALOG}


        def process_invoice(invoice_id: str, items: list) -> dict:
            "Total an invoice: each item is [sku, quantity]; prices come from the catalogue."
            total = 0
            for sku, quantity in items:
                price = PRICES.get(sku)
                if price is None:
                    raise ValueError(f"unknown item {sku}")
                total += price * quantity
            return {"invoice_id": invoice_id, "total_cents": total, "lines": len(items)}
        ```

        Same inputs, same results, same ValueError for an unknown item.
        """;
}
