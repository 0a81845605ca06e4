import datetime


def _numbers(result):
    names = ("respondents", "mean_at_issue", "mean_now", "change", "suppressed")
    return tuple(result[name] for name in names)


def test_wellbeing_matches_the_oracle_for_every_scope(rich):
    for viewer, (_, scope) in rich.viewers.items():
        response = rich.get(viewer, "stats/wellbeing")
        assert response.status_code == 200, response.content
        assert response.json() == {"results": rich.world.wellbeing(scope)}, viewer


def test_wellbeing_by_hand(rich):
    results = rich.get("admin", "stats/wellbeing").json()["results"]
    assert [result["key"] for result in results] == ["mood", "loneliness", "old"]
    # mood: c1 2→4 (its latest of two renewals), c2 3→4, c3 1→2, c5 4→3, c7 2→5, e1 1→5; f1 never renewed
    assert results[0] == {"key": "mood", "current": True,
                          "text": {"fi": "mood fi", "sv": "mood sv", "en": "mood en"}, "respondents": 6,
                          "mean_at_issue": 2.17, "mean_now": 3.83, "change": 1.67,
                          "suppressed": False}
    # loneliness: only c1, c2 and c3 answered both times
    assert _numbers(results[1]) == (None, None, None, None, True)
    assert results[2]["current"] is False
    assert _numbers(results[2]) == (0, None, None, None, False)


def test_wellbeing_of_an_area_keeps_five_respondents_and_suppresses_one(rich):
    mood = rich.get("coordinator", "stats/wellbeing").json()["results"][0]
    assert _numbers(mood) == (5, 2.4, 3.6, 1.2, False)
    mood = rich.get("other_distributor", "stats/wellbeing").json()["results"][0]
    assert _numbers(mood) == (None, None, None, None, True)


def test_a_fall_in_wellbeing_is_a_negative_change(rich):
    world = rich.world
    for _ in range(5):
        card = world.card(rich.d3, datetime.date(2024, 1, 1))
        world.answer_at_issue(card, "loneliness", 5)
        world.renewal(card, datetime.date(2024, 12, 1), {"loneliness": 2})
    body = rich.get("turku_distributor", "stats/wellbeing").json()["results"][1]
    assert _numbers(body) == (5, 5.0, 2.0, -3.0, False)
