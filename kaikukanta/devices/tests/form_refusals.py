"""The desk devices' forms, each with the refusals the server gives them (core/tests/test_form_refusals.py)."""

from kaikukanta.testing import FormRefusal


def _correct(**changes):
    def data(network):
        return {"action": "correct", "correct-children": "0", "correct-clients": "0", "correct-assistants": "0",
                **{f"correct-{name}": value for name, value in changes.items()}}
    return data


def _discard(reason: str):
    return lambda network: {"action": "discard", "discard-reason": reason}


REFUSALS = {
    "devices:conflict": [
        FormRefusal("coordinator", _correct(children="100"), "correct-children"),
        FormRefusal("coordinator", _correct(assistants="-1"), "correct-assistants"),
        FormRefusal("coordinator", _discard(""), "discard-reason"),
        FormRefusal("coordinator", _discard("Soita 040 123 4567"), "discard-reason"),
    ],
}
WITHOUT_REFUSALS = {}
