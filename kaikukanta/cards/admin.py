"""The national admin's fallback view of cards and stock. Read-only: every change goes through the
services, so the rules, the events and the audit trail cannot be bypassed here."""

from django.contrib import admin

from kaikukanta.core.admin_support import ReadOnly, ReadOnlyAdmin

from .models import Card, CardBatch, CardEvent, StockNumber, WellbeingAnswer, WellbeingQuestion
from .selectors import record_holder_read


class CardEventInline(ReadOnly, admin.TabularInline):
    model = CardEvent
    fields = ("event", "date", "valid_until", "reason", "other_number", "actor")
    extra = 0


HOLDER_FIELDS = ("birth_year", "postal_code", "home_municipality", "children", "gender", "life_situation",
                 "holder_coarsened_on")


def _filters_by_holder_data(query) -> bool:
    return any(name.split("__", 1)[0] in HOLDER_FIELDS for name in query)


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ("number", "card_type", "issuer", "issued_on", "valid_until", "closed_on", "close_reason")
    list_filter = ("card_type", "close_reason")
    search_fields = ("number",)
    list_select_related = ("issuer",)
    raw_id_fields = ("replaces", "issuer", "postal_code", "home_municipality")
    inlines = [CardEventInline]

    def changelist_view(self, request, extra_context=None):
        # A list filtered by holder fields (?birth_year=1953, ?postal_code__code=02100...) tells the holder
        # data of every card it shows, so it is audited like every other holder read.
        response = super().changelist_view(request, extra_context)
        if _filters_by_holder_data(request.GET):
            changelist = getattr(response, "context_data", {}).get("cl")
            numbers = [card.number for card in changelist.result_list] if changelist is not None else []
            record_holder_read(request.user, numbers, "admin")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The card's own page here shows its holder data, so it is audited like every other door.
        card = self.get_object(request, object_id)
        if card is not None:
            record_holder_read(request.user, [card.number], "admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CardBatch)
class CardBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "distributor", "count", "created_by", "created_at")
    list_select_related = ("distributor", "created_by")


@admin.register(StockNumber)
class StockNumberAdmin(ReadOnlyAdmin):
    list_display = ("number", "distributor", "batch")
    search_fields = ("number",)
    list_select_related = ("distributor",)


@admin.register(WellbeingQuestion)
class WellbeingQuestionAdmin(ReadOnlyAdmin):
    list_display = ("key", "text_fi", "position", "current")
    list_filter = ("current",)


@admin.register(WellbeingAnswer)
class WellbeingAnswerAdmin(ReadOnlyAdmin):
    list_display = ("card", "question_key", "value", "event")
    list_select_related = ("card", "event")
