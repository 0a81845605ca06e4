"""The public pages' forms (core/tests/test_form_refusals.py). A number and birth year that do not match
are answered without naming either on purpose (public/views.py): which one is wrong would help a guesser."""

from kaikukanta.testing import FormRefusal

REFUSALS = {
    "public:my_card": [
        FormRefusal("anonymous", lambda network: {"card_number": "1234567897", "birth_year": "3000"}, "birth_year"),
        FormRefusal("anonymous", lambda network: {"card_number": "1234567897", "birth_year": "vuosi"}, "birth_year"),
    ],
}
WITHOUT_REFUSALS = {}
