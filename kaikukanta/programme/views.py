"""The rule pages: the national admin's national rules (and a list of areas), a coordinator's own area."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.pages import page
from kaikukanta.accounts.policy import Action
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from, own_area
from kaikukanta.network.models import Area

from . import selectors, services
from .forms import RulesForm, initial_from
from .preview import WHOLE_COUNTRY, sentences
from .ruleset import LABELS, NATIONAL_DEFAULTS, RULE_FIELDS, RuleSet, combine, display_value


def _rows(rules: RuleSet) -> list[dict]:
    return [{"label": LABELS[name], "value": display_value(name, getattr(rules, name))} for name in RULE_FIELDS]


def _versions(area) -> list[dict]:
    rows = []
    for version in reversed(selectors.versions(area)):
        set_values = [f"{LABELS[name]}: {display_value(name, value)}" for name, value in version.values.items()
                      if value is not None or (area is None and name == "children_max_age")]
        rows.append({"effective_from": version.effective_from, "values": set_values,
                     "future": version.effective_from > today()})
    return rows


def _after(area_id, day, values: dict, overridable=None) -> RuleSet:
    if area_id is None:
        return RuleSet(**values, area_id=None, effective_from=day)
    national = selectors.national_version_in_force(day)
    return combine(national.values if national else NATIONAL_DEFAULTS.values(),
                   national.overridable if national else frozenset(), values, area_id=area_id, effective_from=day)


def _handle(request, form, area, save):
    """Preview or save; returns a redirect after saving, else the preview sentences."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    day = form.cleaned_data["effective_from"]
    values = form.rule_values()
    place = area.name if area is not None else str(WHOLE_COUNTRY)
    preview = sentences(place, day, selectors.rules_in_force(area, day), _after(getattr(area, "pk", None), day,
                                                                                  values))
    if request.POST.get("action") != "save":
        return None, preview or [str(_("The change changes nothing."))]
    try:
        save(day, values)
    except Refusal as refusal:
        form_errors_from(form, refusal)
        return None, preview
    for sentence in preview:
        messages.success(request, sentence)
    return redirect(request.path), preview


@page(Action.MANAGE_AREA_RULES, target=own_area)
def rules(request):
    """The national rules for the national admin; a coordinator's own area's rules."""
    if request.user.role != Role.NATIONAL_ADMIN:
        return area_rules(request, request.user.area_id)
    day = today()
    current = selectors.rules_in_force(None, day)
    national = selectors.national_version_in_force(day)
    initial = {**initial_from(current, RULE_FIELDS), "effective_from": day,
               "overridable": sorted(national.overridable) if national else []}
    form = RulesForm(request.POST or None, national=True, initial=initial)

    def save(effective_from, values):
        services.set_national_rules(Caller.page(request), effective_from=effective_from, values=values,
                                    overridable=form.cleaned_data["overridable"])

    done, preview = _handle(request, form, None, save)
    if done is not None:
        return done
    return render(request, "programme/rules.html", {
        "title": _("National rules"), "form": form, "rows": _rows(current), "versions": _versions(None),
        "preview": preview, "areas": Area.objects.order_by("name")})


@page(Action.MANAGE_AREA_RULES, target=own_area)
def area_rules(request, area_id: int):
    area = selectors.area_to_manage(request.user, area_id)
    day = today()
    current = selectors.rules_in_force(area, day)
    national = selectors.national_version_in_force(day)
    names = [name for name in RULE_FIELDS if national is not None and name in national.overridable]
    own = selectors.area_version_in_force(area, day)
    initial = {"effective_from": day}
    if own is not None:
        initial.update({name: ("yes" if value else "no") if isinstance(value, bool) else value
                        for name, value in own.values.items() if name in names and value is not None})
    form = RulesForm(request.POST or None, fields=names, national=False, initial=initial)

    def save(effective_from, values):
        services.set_area_rules(Caller.page(request), area.pk, effective_from=effective_from, overrides=values)

    done, preview = _handle(request, form, area, save)
    if done is not None:
        return done
    return render(request, "programme/rules.html", {
        "title": area.name, "form": form, "rows": _rows(current), "versions": _versions(area),
        "preview": preview, "area": area})
