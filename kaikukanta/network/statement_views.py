"""The national admin's page for the editable parts of the public accessibility statement and privacy notice
(shown by public/views.py). Kept apart from views.py, which is long enough."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaikukanta.accounts.policy import Action
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from, page

from . import selectors, services
from .forms import StatementsForm


@page(Action.UPDATE_SETTINGS)
def statements(request):
    current = selectors.national_settings(request.user)
    form = StatementsForm(request.POST or None,
                          initial={name: getattr(current, name) for name in services.STATEMENT_FIELDS})
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.update_statements(request.user, **changes)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The statements were saved.") if changes else _("Nothing was changed."))
            return redirect("network:statements")
    return render(request, "network/statements.html", {"form": form})
