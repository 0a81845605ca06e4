"""The sign-in form (core/tests/test_form_refusals.py)."""

WITHOUT_REFUSALS = {
    # A wrong username or password is said above the form for both: naming one would tell which usernames
    # exist (accounts/tests/test_sign_in.py).
    "accounts:login": "one message for both fields on purpose",
}
REFUSALS = {}
