"""The public OpenAPI schema documents the visit operations and the codes they may return."""

import json


def test_visit_operations_and_their_error_codes_are_documented(anonymous):
    schema = anonymous.get("/api/v1/openapi.json").json()
    record = schema["paths"]["/api/v1/visits"]["post"]
    assert {"200", "201"} <= set(record["responses"])
    assert "Idempotency-Key" in [parameter["name"] for parameter in record["parameters"]]
    described = json.dumps(schema["paths"])
    for code in ("date_out_of_range", "card_not_found", "card_not_yet_valid", "card_expired", "card_closed",
                 "too_many_children", "children_not_allowed_for_course", "clients_need_community_card",
                 "children_need_personal_card", "offering_not_at_venue", "quota_exhausted",
                 "cancel_window_passed", "number_invalid"):
        assert code in described
    listing = schema["paths"]["/api/v1/visits"]["get"]
    filters = {parameter["name"] for parameter in listing["parameters"]}
    assert {"from", "to", "venue_id", "offering_id"} <= filters
    assert "204" in schema["paths"]["/api/v1/visits/{visit_id}"]["delete"]["responses"]
