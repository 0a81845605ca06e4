"""Every file the register writes (CSV, XLSX, the area export's ZIP, the PDFs) passes its text cells through
`safe_cell`, so a name typed by anyone with a site never becomes a spreadsheet formula when the file is
opened or copied into a spreadsheet.

OWASP's CSV injection advice: a text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
prefixed with an apostrophe, which spreadsheet programs read as "this is text". Numbers, dates and empty
values are left as they are (a negative number is a number, not a formula)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same characters written fullwidth, which spreadsheet programs may fold to their ASCII forms.
_FULLWIDTH_STARTS = ("＝", "＋", "－", "＠")


def safe_cell(value):
    """`value` as it may be written into a file: a text that could start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS + _FULLWIDTH_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]
