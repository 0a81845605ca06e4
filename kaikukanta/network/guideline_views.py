"""The network's guidelines: their versions (published by the national admin) and the sites' commitments."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from

from . import selectors, services
from .forms import CommitmentForm, GuidelineVersionForm
from .views import _areas_to_choose, _describe_site, _int_or_none, _safe_next, _site_choices, coordinator_page

# Guidelines

@coordinator_page
def guidelines(request):
    versions = list(selectors.guideline_versions())
    current = selectors.guideline_status(request.user, versions[0]) if versions else None
    return render(request, "network/guidelines.html", {
        "versions": versions, "current": current,
        "may_publish": allowed(request.user, Action.UPDATE_SETTINGS)})


@page(Action.UPDATE_SETTINGS)
def guideline_new(request):
    form = GuidelineVersionForm(request.POST or None, initial={"published_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_guideline_version(Caller.page(request), **form.cleaned_data)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("Version %(label)s was published.") % {"label": version.label})
            return redirect("network:guideline_detail", version_id=version.pk)
    return render(request, "network/guideline_form.html", {"form": form})


@coordinator_page
def guideline_detail(request, version_id: int):
    version = selectors.guideline_version(version_id)
    areas = _areas_to_choose(request.user)
    area_id = _int_or_none(request.GET.get("area_id")) if areas else None
    status = selectors.guideline_status(request.user, version, area_id=area_id)
    form = CommitmentForm(request.POST or None, site_choices=_site_choices(status.not_committed),
                          initial={"organisation_id": _int_or_none(request.GET.get("organisation_id"))})
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.record_guideline_commitment(Caller.page(request), version_id=version.pk,
                                                              **form.cleaned_data)
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            messages.success(request, _("%(site)s has committed to version %(label)s.") % {
                "site": commitment.organisation.name, "label": version.label})
            fallback = reverse("network:guideline_detail", kwargs={"version_id": version.pk})
            return redirect(_safe_next(request, fallback))
    for site in status.not_committed:
        _describe_site(site)
    for commitment in status.committed:
        _describe_site(commitment.organisation)
    return render(request, "network/guideline_detail.html", {
        "version": version, "status": status, "form": form, "areas": areas, "area_id": area_id})
