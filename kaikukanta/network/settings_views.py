"""The national admin's settings kept by this app: the public statements and the low-income figures."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from

from . import selectors, services
from .forms import LowIncomeForm, StatementsForm

# National settings

@page(Action.UPDATE_SETTINGS)
def statements(request):
    """The editable parts of the public accessibility statement and privacy notice (shown by public/views.py)."""
    current = selectors.national_settings(request.user)
    form = StatementsForm(request.POST or None,
                          initial={name: getattr(current, name) for name in services.STATEMENT_FIELDS})
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.update_statements(Caller.page(request), **changes)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The statements were saved.") if changes else _("Nothing was changed."))
            return redirect("network:statements")
    return render(request, "network/statements.html", {"form": form})


@page(Action.UPDATE_SETTINGS)
def low_income(request):
    form = LowIncomeForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.upload_low_income(Caller.page(request), form.cleaned_data["file"].read())
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            if result.ok:
                messages.success(request, _("Figures added: %(created)s, updated: %(updated)s.") % {
                    "created": result.created, "updated": result.updated})
                return redirect("network:low_income")
    errors = [{"line": error.line, "field": error.field, "message": Refusal(error.code).message(
        request.LANGUAGE_CODE)} for error in result.errors] if result else []
    return render(request, "network/low_income.html", {
        "form": form, "errors": errors, "years": selectors.low_income_years()})
