"""Every refusal the system can give: one code, one HTTP status, one message in fi, sv and en.

Services raise `Refusal`; the API, the pages and the importers render it from this table,
so a rule refuses the same way whichever door the request came through.
"""

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    # generic
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    THROTTLED = "throttled"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    # network
    MUNICIPALITY_UNKNOWN = "municipality_unknown"
    MUNICIPALITY_TAKEN = "municipality_taken"
    MUNICIPALITY_NOT_IN_AREA = "municipality_not_in_area"
    USERNAME_TAKEN = "username_taken"
    # cards
    NUMBER_INVALID = "number_invalid"
    NUMBER_TAKEN = "number_taken"
    NUMBER_NOT_IN_STOCK = "number_not_in_stock"
    HOLDER_TOO_YOUNG = "holder_too_young"
    POSTAL_CODE_UNKNOWN = "postal_code_unknown"
    MUNICIPALITY_NOT_IN_NETWORK = "municipality_not_in_network"
    VALIDITY_TOO_LONG = "validity_too_long"
    VALIDITY_IN_PAST = "validity_in_past"
    TOO_MANY_CHILDREN = "too_many_children"
    CARD_NOT_FOUND = "card_not_found"
    CARD_CLOSED = "card_closed"
    # visits
    DATE_OUT_OF_RANGE = "date_out_of_range"
    CARD_NOT_YET_VALID = "card_not_yet_valid"
    CARD_EXPIRED = "card_expired"
    CHILDREN_NOT_ALLOWED_FOR_COURSE = "children_not_allowed_for_course"
    CLIENTS_NEED_COMMUNITY_CARD = "clients_need_community_card"
    CHILDREN_NEED_PERSONAL_CARD = "children_need_personal_card"
    OFFERING_NOT_AT_VENUE = "offering_not_at_venue"
    QUOTA_EXHAUSTED = "quota_exhausted"
    CANCEL_WINDOW_PASSED = "cancel_window_passed"
    # programme rules (issue 13): an area's own rules
    CARD_OF_OTHER_AREA = "card_of_other_area"
    CHILD_BIRTH_YEARS_NEEDED = "child_birth_years_needed"
    CHILD_OVER_AGE_LIMIT = "child_over_age_limit"
    RULES_DATE_IN_PAST = "rules_date_in_past"
    RULE_NOT_OVERRIDABLE = "rule_not_overridable"
    # privacy (issue 5, free texts): an identity code, phone number or e-mail address in a free-text field
    PERSONAL_DATA_NOT_ALLOWED = "personal_data_not_allowed"
    # sign-in (issue 5, access): the second factor's code on the sign-in pages
    SECOND_FACTOR_WRONG = "second_factor_wrong"
    # accounts (Trust II, 6): changing one's own password takes the current one
    CURRENT_PASSWORD_WRONG = "current_password_wrong"
    # reliability (issue 5, faults): the database cannot be reached just now; the client tries again
    UNAVAILABLE = "unavailable"
    # hardening (issue Trust II): a body over the size limit, and a fault of the server's own
    TOO_LARGE = "too_large"
    SERVER_ERROR = "server_error"
    # offline desk (issue 14): enrolled devices, their leases and their queued visits
    ENROLMENT_CODE_INVALID = "enrolment_code_invalid"
    DEVICE_REVOKED = "device_revoked"
    DEVICE_REQUIRED = "device_required"
    LEASE_NOT_VALID = "lease_not_valid"
    CONFLICT_RESOLVED = "conflict_resolved"
    CONFLICT_NEEDS_COORDINATOR = "conflict_needs_coordinator"


@dataclass(frozen=True)
class Meaning:
    status: int
    fi: str
    sv: str
    en: str


MEANINGS: dict[Code, Meaning] = {
    Code.UNAUTHENTICATED: Meaning(
        401, "Tunnistautuminen puuttuu tai on virheellinen.", "Autentisering saknas eller är ogiltig.",
        "Authentication is missing or invalid."),
    Code.FORBIDDEN: Meaning(
        403, "Sinulla ei ole oikeutta tähän.", "Du har inte behörighet till detta.",
        "You are not allowed to do this."),
    Code.NOT_FOUND: Meaning(404, "Kohdetta ei löydy.", "Objektet hittades inte.", "Not found."),
    Code.INVALID: Meaning(
        400, "Pyyntö on virheellinen.", "Begäran är ogiltig.", "The request is invalid."),
    Code.THROTTLED: Meaning(
        429, "Liian monta pyyntöä. Yritä hetken päästä uudelleen.",
        "För många förfrågningar. Försök igen om en stund.", "Too many requests. Try again shortly."),
    Code.METHOD_NOT_ALLOWED: Meaning(
        405, "Tätä menetelmää ei voi käyttää tähän osoitteeseen.", "Metoden kan inte användas för denna adress.",
        "This method is not allowed for this address."),
    Code.MUNICIPALITY_UNKNOWN: Meaning(
        422, "Kuntakoodia ei tunneta.", "Kommunkoden är okänd.", "Unknown municipality code."),
    Code.MUNICIPALITY_TAKEN: Meaning(
        409, "Kunta kuuluu jo toiseen alueeseen.", "Kommunen hör redan till ett annat område.",
        "The municipality already belongs to another area."),
    Code.MUNICIPALITY_NOT_IN_AREA: Meaning(
        422, "Kunta ei kuulu alueeseen.", "Kommunen hör inte till området.",
        "The municipality does not belong to the area."),
    Code.USERNAME_TAKEN: Meaning(
        409, "Käyttäjätunnus on jo käytössä.", "Användarnamnet är redan upptaget.",
        "The username is already taken."),
    Code.NUMBER_INVALID: Meaning(
        400, "Kortin numero on virheellinen (tarkiste ei täsmää).",
        "Kortnumret är ogiltigt (kontrollsiffran stämmer inte).",
        "The card number is invalid (check digit does not match)."),
    Code.NUMBER_TAKEN: Meaning(
        409, "Kortin numero on jo käytössä.", "Kortnumret används redan.",
        "The card number is already in use."),
    Code.NUMBER_NOT_IN_STOCK: Meaning(
        422, "Numero ei kuulu toimipaikan korttivarastoon.", "Numret hör inte till verksamhetsställets kortlager.",
        "The number is not in this site's card stock."),
    Code.HOLDER_TOO_YOUNG: Meaning(
        422, "Kortinhaltija on nuorempi kuin alueen sääntöjen vähimmäisikä.",
        "Kortinnehavaren är yngre än minimiåldern i områdets regler.",
        "The holder is younger than the minimum age of the area's rules."),
    Code.POSTAL_CODE_UNKNOWN: Meaning(
        422, "Postinumeroa ei tunneta.", "Postnumret är okänt.", "Unknown postal code."),
    Code.MUNICIPALITY_NOT_IN_NETWORK: Meaning(
        422, "Kotikunta ei kuulu Kaikukortti-verkostoon.", "Hemkommunen hör inte till Kaikukortets nätverk.",
        "The home municipality is not in the card network."),
    Code.VALIDITY_TOO_LONG: Meaning(
        422, "Voimassaoloaika on pidempi kuin sallittu enimmäisaika.",
        "Giltighetstiden är längre än den tillåtna maximitiden.",
        "The validity is longer than the allowed maximum."),
    Code.VALIDITY_IN_PAST: Meaning(
        422, "Voimassaolon päättymispäivä on menneisyydessä.", "Giltighetens slutdatum har redan passerat.",
        "The validity end date is in the past."),
    Code.TOO_MANY_CHILDREN: Meaning(
        422, "Lapsia on enemmän kuin kortille on rekisteröity tai sallittu.",
        "Fler barn än vad som är registrerat på eller tillåtet för kortet.",
        "More children than registered on, or allowed for, the card."),
    Code.CARD_NOT_FOUND: Meaning(
        404, "Korttia ei löydy.", "Kortet hittades inte.", "Card not found."),
    Code.CARD_CLOSED: Meaning(
        422, "Kortti on suljettu.", "Kortet är stängt.", "The card is closed."),
    Code.DATE_OUT_OF_RANGE: Meaning(
        422, "Päivämäärä ei voi olla tulevaisuudessa eikä kauempana menneisyydessä kuin säännöt sallivat.",
        "Datumet får inte ligga i framtiden eller längre bakåt än reglerna tillåter.",
        "The date cannot be in the future or further back than the rules allow."),
    Code.CARD_NOT_YET_VALID: Meaning(
        422, "Kortti ei ollut vielä voimassa tuona päivänä.", "Kortet var ännu inte giltigt den dagen.",
        "The card was not yet valid on that date."),
    Code.CARD_EXPIRED: Meaning(
        422, "Kortti ei ole voimassa.", "Kortet är inte giltigt.", "The card has expired."),
    Code.CHILDREN_NOT_ALLOWED_FOR_COURSE: Meaning(
        422, "Kursseille ei voi tulla lasten kanssa kortilla.", "Barn kan inte delta i kurser med kortet.",
        "Children cannot come along on courses with the card."),
    Code.CLIENTS_NEED_COMMUNITY_CARD: Meaning(
        422, "Asiakkaita voi kirjata vain yhteisökortille.", "Klienter kan endast registreras på ett gemenskapskort.",
        "Clients can only be recorded on a community card."),
    Code.CHILDREN_NEED_PERSONAL_CARD: Meaning(
        422, "Lapsia voi kirjata vain henkilökohtaiselle kortille.",
        "Barn kan endast registreras på ett personligt kort.",
        "Children can only be recorded on a personal card."),
    Code.OFFERING_NOT_AT_VENUE: Meaning(
        422, "Tarjonta ei kuulu tähän kohteeseen.", "Utbudet hör inte till detta besöksmål.",
        "The offering does not belong to this venue."),
    Code.QUOTA_EXHAUSTED: Meaning(
        409, "Päivän Kaikukortti-liput tähän tarjontaan on jaettu.",
        "Dagens Kaikukort-biljetter till detta utbud är slut.",
        "Today's card tickets for this offering have run out."),
    Code.CANCEL_WINDOW_PASSED: Meaning(
        409, "Käynnin perumisen aika kirjaamisesta on kulunut umpeen.",
        "Tiden för att ångra besöket efter registreringen har gått ut.",
        "The time for cancelling the visit after its recording has passed."),
    # programme rules (issue 13)
    Code.CARD_OF_OTHER_AREA: Meaning(
        422, "Tämän alueen kohteet ottavat vastaan vain oman alueen kortteja.",
        "Besöksmålen i detta område tar bara emot kort från det egna området.",
        "The venues of this area admit only cards of their own area."),
    Code.CHILD_BIRTH_YEARS_NEEDED: Meaning(
        422, "Alueen säännöt edellyttävät jokaisen lapsen syntymävuotta (ei nimiä).",
        "Områdets regler kräver varje barns födelseår (inga namn).",
        "This area's rules need each child's birth year (no names)."),
    Code.CHILD_OVER_AGE_LIMIT: Meaning(
        422, "Lapsi on vanhempi kuin alueen lasten ikäraja.", "Barnet är äldre än områdets åldersgräns för barn.",
        "A child is older than this area's age limit for children."),
    Code.RULES_DATE_IN_PAST: Meaning(
        422, "Sääntöjen muutos alkaa aikaisintaan tänään: mennyttä ei muuteta.",
        "En regeländring börjar tidigast i dag: det som varit ändras inte.",
        "A change of the rules starts today at the earliest: the past is never rewritten."),
    Code.RULE_NOT_OVERRIDABLE: Meaning(
        422, "Valtakunnallinen ylläpito ei salli alueiden muuttaa tätä sääntöä.",
        "Den nationella administrationen låter inte områden ändra denna regel.",
        "The national administration does not let areas change this rule."),
    # privacy (issue 5, free texts)
    Code.PERSONAL_DATA_NOT_ALLOWED: Meaning(
        422, "Tekstissä ei saa olla henkilötunnusta, puhelinnumeroa eikä sähköpostiosoitetta.",
        "Texten får inte innehålla personbeteckning, telefonnummer eller e-postadress.",
        "The text must not contain a personal identity code, a phone number or an e-mail address."),
    # sign-in (issue 5, access)
    Code.SECOND_FACTOR_WRONG: Meaning(
        400, "Koodi on väärä tai vanhentunut. Kirjoita sovelluksen nyt näyttämä koodi.",
        "Koden är fel eller har gått ut. Skriv koden som appen visar nu.",
        "The code is wrong or has expired. Type the code the app shows now."),
    Code.CURRENT_PASSWORD_WRONG: Meaning(
        400, "Nykyinen salasana puuttuu tai on väärä. Oman salasanan voi vaihtaa vain nykyisen kanssa.",
        "Det nuvarande lösenordet saknas eller är fel. Det egna lösenordet kan bara bytas med det nuvarande.",
        "The current password is missing or wrong. Your own password can only be changed with the current one."),
    # reliability (issue 5, faults)
    Code.UNAVAILABLE: Meaning(
        503, "Palvelu ei ole juuri nyt käytettävissä. Yritä hetken päästä uudelleen.",
        "Tjänsten är inte tillgänglig just nu. Försök igen om en stund.",
        "The service is unavailable right now. Try again shortly."),
    # hardening
    Code.TOO_LARGE: Meaning(
        413, "Pyyntö on liian suuri.", "Begäran är för stor.", "The request is too large."),
    Code.SERVER_ERROR: Meaning(
        500, "Palvelussa tapahtui virhe. Yritä hetken päästä uudelleen.",
        "Ett fel uppstod i tjänsten. Försök igen om en stund.",
        "Something went wrong in the service. Try again shortly."),
    # offline desk (issue 14)
    Code.ENROLMENT_CODE_INVALID: Meaning(
        422, "Käyttöönottokoodi on väärä, vanhentunut tai jo käytetty.",
        "Aktiveringskoden är fel, har gått ut eller har redan använts.",
        "The enrolment code is wrong, has expired or has been used already."),
    Code.DEVICE_REVOKED: Meaning(
        403, "Laitteen käyttöoikeus on peruttu: se ei voi enää kirjata käyntejä.",
        "Enhetens behörighet har återkallats: den kan inte längre registrera besök.",
        "The device has been revoked: it can no longer record visits."),
    Code.DEVICE_REQUIRED: Meaning(
        403, "Tämän voi tehdä vain käyttöön otetulla laitteella.",
        "Detta kan endast göras med en aktiverad enhet.",
        "Only an enrolled device can do this."),
    Code.LEASE_NOT_VALID: Meaning(
        409, "Laitteen lippuvaraus ei koske tätä tarjontaa ja päivää tai on päättynyt.",
        "Enhetens biljettreservation gäller inte detta utbud och denna dag eller har gått ut.",
        "The device's ticket lease is not for this offering and day, or has ended."),
    Code.CONFLICT_RESOLVED: Meaning(
        409, "Ristiriita on jo ratkaistu.", "Konflikten är redan löst.", "The conflict has been resolved already."),
    Code.CONFLICT_NEEDS_COORDINATOR: Meaning(
        403, "Vain alueen koordinaattori voi kirjata käynnin sellaisenaan kuin laite sen lähetti: korjaa "
        "lasten, asiakkaiden tai avustajien määrä tai pyydä koordinaattoria.",
        "Endast områdets koordinator kan registrera besöket så som enheten skickade det: rätta antalet barn, "
        "klienter eller assistenter eller be koordinatorn.",
        "Only the area's coordinator may record the visit as the device sent it: correct the children, "
        "clients or assistants, or ask the coordinator."),
}

LANGUAGES = ("fi", "sv", "en")


class Refusal(Exception):
    """A request refused by a rule. Raising it anywhere inside a transaction undoes the write.

    `detail` says why in words every door shows (the API's message, a page beside the field, an import line).
    `reason` says why for a door with no words of its own for the field (the API's message): a page prefers
    its own (core/forms.py), so a bound like "a day from 1900-01-01 to 9000-12-31" reads as the form puts it.
    """

    def __init__(self, code: Code, field: str | None = None, detail: str | None = None, *, reason=None):
        super().__init__(code.value)
        self.code = code
        self.field = field
        self.detail = detail
        self.reason = reason

    @property
    def status(self) -> int:
        return MEANINGS[self.code].status

    def message(self, language: str = "fi") -> str:
        meaning = MEANINGS[self.code]
        text = getattr(meaning, language if language in LANGUAGES else "fi")
        why = self.detail or self.reason
        if not why:
            return text
        # A detail may be a lazy translation (the password policy's reasons): it reads in `language` too.
        from django.utils import translation

        with translation.override(language if language in LANGUAGES else "fi"):
            return f"{text} ({why})"

    def as_body(self, language: str = "fi") -> dict:
        error = {"code": self.code.value, "message": self.message(language)}
        if self.field:
            error["field"] = self.field
        return {"error": error}
