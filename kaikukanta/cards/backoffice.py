"""The coordinators' and the national admin's back office for cards: card batches, the national settings with
the wellbeing questions, and the card-number guessing alerts. Served under /network/ with the network's
pages (kaikukanta/urls.py puts both in the `network` namespace), drawn with the network's templates; here
because they are the cards app's rooms, and the network sits below it (core/tests/test_layers.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from
from kaikukanta.network import selectors as network_selectors
from kaikukanta.network import services as network_services
from kaikukanta.network import views as network_views
from kaikukanta.network.forms import BatchForm, QuestionFormSet, SettingsForm
from kaikukanta.network.models import OrganisationKind

from . import selectors, services

# Card batches

@network_views.coordinator_page
def batches(request):
    found = network_views._paged(request, selectors.batch_search(request.user))
    return render(request, "network/batches.html", {"batches": found,
                                                    "query": network_views._query_without_page(request)})


@network_views.coordinator_page
def batch_new(request):
    distributors = network_views._active_sites(request.user, kind=OrganisationKind.DISTRIBUTOR)
    form = BatchForm(request.POST or None, site_choices=network_views._site_choices(distributors),
                     initial={"distributor_id": network_views._int_or_none(request.GET.get("distributor_id")),
                              "count": 100})
    if request.method == "POST" and form.is_valid():
        try:
            batch, _numbers = services.create_card_batch(Caller.page(request), **form.cleaned_data)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, ngettext("%(count)s card number was created.",
                                               "%(count)s card numbers were created.", batch.count) % {
                "count": batch.count})
            return redirect("network:batch_detail", batch_id=batch.pk)
    return render(request, "network/batch_form.html", {"form": form})


@network_views.coordinator_page
def batch_detail(request, batch_id: int):
    batch = selectors.batch_for(request.user, batch_id)
    numbers = selectors.batch_numbers(batch)
    return render(request, "network/batch_detail.html", {
        "batch": batch, "numbers": numbers, "issued": sum(1 for _number, issued in numbers if issued)})


# National settings

@page(Action.UPDATE_SETTINGS)
def settings(request):
    current = network_selectors.national_settings(request.user)
    form = SettingsForm(request.POST or None, initial={"max_validity_months": current.max_validity_months})
    if request.method == "POST" and form.is_valid():
        try:
            network_services.update_settings(Caller.page(request), **form.cleaned_data)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("network:settings")
    return render(request, "network/settings.html", {
        "form": form, "questions": selectors.current_wellbeing_questions(),
        "low_income_years": network_selectors.low_income_years()[:3]})


@page(Action.MANAGE_WELLBEING_QUESTIONS)
def wellbeing_questions(request):
    initial = [{"key": q.key, "fi": q.text_fi, "sv": q.text_sv, "en": q.text_en}
               for q in selectors.current_wellbeing_questions()]
    formset = QuestionFormSet(request.POST or None, prefix="questions", initial=initial)
    if request.method == "POST" and formset.is_valid():
        rows = [row for row in formset.forms
                if not row.is_blank() and not row.cleaned_data.get("DELETE")]
        questions = [services.QuestionText(key=row.cleaned_data["key"].strip(), fi=row.cleaned_data["fi"],
                                        sv=row.cleaned_data["sv"], en=row.cleaned_data["en"]) for row in rows]
        try:
            services.replace_wellbeing_questions(Caller.page(request), questions)
        except Refusal as refusal:
            network_views._show_refusal(rows, refusal)
        else:
            messages.success(request, _("The wellbeing questions were saved. New answers use this set."))
            return redirect("network:wellbeing_questions")
    return render(request, "network/wellbeing_questions.html", {"formset": formset})


# Card-number guessing alerts

ALERT_SOURCES = {"card_check": gettext_lazy("card check"), "visit": gettext_lazy("visit registration"),
                 "my_card": gettext_lazy("public “My card” page")}


@page(Action.VIEW_GUESSING_ALERTS)
def alerts(request):
    """Bursts of unknown card numbers (cards.guessing): who, from where, how many, in what window."""
    found = network_views._paged(request, selectors.guessing_alerts(request.user))
    rows = [{"alert": alert, "source": ALERT_SOURCES.get(alert.source, alert.source)}
            for alert in selectors.describe_guessing_alerts(found)]
    return render(request, "network/alerts.html", {"alerts": found, "rows": rows})


urlpatterns = [
    path("batches/", batches, name="batches"),
    path("batches/new/", batch_new, name="batch_new"),
    path("batches/<int:batch_id>/", batch_detail, name="batch_detail"),
    path("settings/", settings, name="settings"),
    path("settings/wellbeing-questions/", wellbeing_questions, name="wellbeing_questions"),
    path("alerts/", alerts, name="alerts"),
]
