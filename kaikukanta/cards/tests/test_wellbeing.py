"""The cultural wellbeing questions: read by everyone, replaced as a set by the national admin."""

import pytest

from kaikukanta.cards.models import WellbeingAnswer, WellbeingQuestion
from kaikukanta.core.models import AuditRecord

from .helpers import in_days, personal_card, refused, written


def question(key, text="Kulttuuri on minulle tärkeää"):
    return {"key": key, "text": {"fi": text, "sv": f"{text} (sv)", "en": f"{text} (en)"}}


def test_anyone_signed_in_reads_the_current_questions(network, questions):
    response = network.client("venue").get("wellbeing/questions")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"key": "culture_matters", "text": {"fi": "culture_matters fi", "sv": "culture_matters sv",
                                            "en": "culture_matters en"}},
        {"key": "feel_included", "text": {"fi": "feel_included fi", "sv": "feel_included sv",
                                          "en": "feel_included en"}}]


def test_anonymous_callers_are_unauthenticated(anonymous):
    refused(anonymous.get("/api/v1/wellbeing/questions"), 401, "unauthenticated")


def test_the_admin_replaces_the_set_and_earlier_answers_keep_their_keys(network, stock, questions):
    distributor = network.client("distributor")
    distributor.post("cards", personal_card(stock[0], wellbeing={"culture_matters": 2, "feel_included": 3}))
    admin = network.client("admin")

    response = admin.put("wellbeing/questions", {"results": [question("new_friends"),
                                                             question("culture_matters", "Uusi teksti")]})

    assert response.status_code == 200, response.json()
    assert [item["key"] for item in response.json()["results"]] == ["new_friends", "culture_matters"]
    assert response.json()["results"][1]["text"]["fi"] == "Uusi teksti"
    assert admin.get("wellbeing/questions").json() == response.json()
    assert set(WellbeingAnswer.objects.values_list("question_key", flat=True)) == {"culture_matters",
                                                                                    "feel_included"}
    assert not WellbeingQuestion.objects.get(key="feel_included").current
    refused(distributor.post("cards", personal_card(stock[1], wellbeing={"feel_included": 3})),
            400, "invalid", "wellbeing.feel_included")
    assert distributor.post("cards", personal_card(stock[1], wellbeing={"new_friends": 3})).status_code == 201
    assert AuditRecord.objects.filter(action="wellbeing_questions.replace").count() == 1


def test_a_retired_key_used_again_becomes_current(network, questions):
    admin = network.client("admin")
    admin.put("wellbeing/questions", {"results": [question("culture_matters")]})

    response = admin.put("wellbeing/questions", {"results": [question("feel_included", "Takaisin")]})

    assert response.json()["results"] == [question("feel_included", "Takaisin")]
    assert WellbeingQuestion.objects.filter(key="feel_included").count() == 1


def test_a_bare_array_is_accepted_too(network):
    response = network.client("admin").put("wellbeing/questions", [question("a_1")])
    assert response.status_code == 200
    assert response.json()["results"] == [question("a_1")]


@pytest.mark.parametrize(("items", "field"), [
    ([question("Culture")], "results.0.key"),
    ([question("culture matters")], "results.0.key"),
    ([question("")], "results.0.key"),
    ([question("k" * 41)], "results.0.key"),
    ([question("ok"), question("ok")], "results.1.key"),
    ([{"key": "ok", "text": {"fi": "a", "sv": "b"}}], "results.0.text.en"),
    ([{"key": "ok", "text": {"fi": "a", "sv": "b", "en": "  "}}], "results.0.text.en"),
    ([{"key": "ok", "text": {"fi": "a", "sv": "b", "en": "c", "de": "d"}}], "results.0.text.de"),
    ([{**question("ok"), "position": 1}], "results.0.position"),
])
def test_malformed_sets_are_invalid_and_change_nothing(network, questions, items, field):
    before = written()

    refused(network.client("admin").put("wellbeing/questions", {"results": items}), 400, "invalid", field)

    assert written() == before
    assert set(WellbeingQuestion.objects.filter(current=True).values_list("key", flat=True)) == set(questions)


@pytest.mark.parametrize("who", ["coordinator", "distributor", "venue"])
def test_only_the_national_admin_replaces_the_set(network, questions, who):
    refused(network.client(who).put("wellbeing/questions", {"results": [question("x")]}), 403, "forbidden")
    assert set(WellbeingQuestion.objects.filter(current=True).values_list("key", flat=True)) == set(questions)


def test_community_cards_take_no_wellbeing_answers(network, stock, questions):
    body = {"number": stock[0], "card_type": "community", "valid_until": in_days(10),
            "wellbeing": {"culture_matters": 3}}
    refused(network.client("distributor").post("cards", body), 400, "invalid", "wellbeing")


def test_answers_follow_the_holder_to_a_replacement_card_and_pair_with_its_renewal(network, questions):
    from kaikukanta.testing import stock_numbers

    distributor = network.client("distributor")
    originals = stock_numbers(network.distributor, 5)
    replacements = stock_numbers(network.distributor, 5)
    for original, replacement in zip(originals, replacements, strict=True):
        assert distributor.post("cards", personal_card(original, wellbeing={"culture_matters": 2})).status_code == 201
        assert distributor.post(f"cards/{original}/replace", {"new_number": replacement}).status_code == 201
        renewed = distributor.post(f"cards/{replacement}/renew",
                                   {"valid_until": in_days(300), "wellbeing": {"culture_matters": 4}})
        assert renewed.status_code == 200, renewed.json()

    results = {row["key"]: row for row in network.client("admin").get("stats/wellbeing").json()["results"]}

    assert results["culture_matters"]["respondents"] == 5
    assert results["culture_matters"]["mean_at_issue"] == 2
    assert results["culture_matters"]["mean_now"] == 4
    assert results["culture_matters"]["change"] == 2
