"""The forms that start a prepared file (core/tests/test_form_refusals.py)."""

WITHOUT_REFUSALS = {
    # Choices from lists only (area, year, language): only a made-up request can be refused, and it gets the
    # refusal page with the reason for the field (core/tests/test_form_refusals.py checks it).
    "operations:start_report": "lists only",
    "operations:start_area_export": "lists only",
}
REFUSALS = {}
