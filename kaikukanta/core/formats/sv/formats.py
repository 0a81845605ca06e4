"""Finland-Swedish dates are written as Finnish ones (2.12.2026), not Sweden's ISO-style 2026-12-02.
Formats not set here come from Django's own sv locale."""

SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y H.i"
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '2.12.2026'
    "%d.%m.%y",  # '2.12.26'
    "%Y-%m-%d",  # '2026-12-02', what a date input sends
]
