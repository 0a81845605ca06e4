"""The offline desk in Chromium against the live server (issue 14): an enrolled phone whose network is cut off
with Playwright's `context.set_offline(True)`, its page reloaded from the service worker, its queue sent when
the network comes back, and what the register then holds.

A camera cannot be used in the test browser, so a card's QR code is fed in as the decoded text through
KaikuScanner.fill, the call a successful scan makes. Minutes of browser work: marked `slow` and `postgres`,
like the other slow tests, so CI runs them once, in its PostgreSQL pass (where three devices really race).
"""

import re

import pytest
from playwright.sync_api import expect

from kaikukanta.accounts.caller import Caller
from kaikukanta.cards import services as card_services
from kaikukanta.cards import signing
from kaikukanta.core import damm
from kaikukanta.core.browser import CHROMIUM, CHROMIUM_FLAGS, PHONE, assert_accessible, log_in, screenshot
from kaikukanta.core.clock import today
from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.devices import services as device_services
from kaikukanta.devices.models import Conflict, Device
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

NUMBER = "#id_card_number"


def open_desk(browser_page, site):
    page = browser_page("venue", phone=True)
    page.goto(f"{site.base_url}/desk/offline/")
    expect(page.locator("#offline-desk")).to_have_attribute("data-ready", "true")
    return page


def enrol(page, site, name: str) -> Device:
    user = site.users["venue"]
    _, code = device_services.issue_enrolment_code(Caller.for_console(user), user.organisation_id)
    page.locator("#enrol-code").fill(code)
    page.locator("#enrol-name").fill(name)
    page.locator("[data-enrol-form] button[type=submit]").click()
    expect(page.locator("#offline-desk")).to_have_attribute("data-enrolled", "true")
    expect(page.locator("[data-device]")).to_contain_text(name)
    # The shell is cached and the worker controls the page: the next load works without the network.
    page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
            await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
        }
    }""")
    return Device.objects.get(name=name)


def go_offline(page):
    page.context.set_offline(True)
    # Really cut off: a request the service worker leaves to the network does not reach the server.
    assert page.evaluate("fetch('/desk/today/', {cache: 'no-store'}).then(() => 'reached', () => 'failed')") == "failed"
    expect(page.locator("[data-connection]")).to_have_text(re.compile("Offline|Ei yhteyttä|Ingen förbindelse"))


def go_online(page):
    page.context.set_offline(False)
    expect(page.locator("[data-waiting]")).to_have_text(re.compile("Nothing|Ei mitään|Inget"), timeout=30_000)


def waiting(page) -> int:
    return page.evaluate("KaikuOfflineStore.queued().then((rows) => rows.length)")


def check(page, *, number=None, scanned=None):
    page.locator(NUMBER).fill("")
    if scanned is not None:
        page.evaluate("(text) => KaikuScanner.fill(document.querySelector('#id_card_number'), text)", scanned)
    else:
        page.locator(NUMBER).fill(number)
    status = page.locator("#card-status [data-card-status]")
    expect(status).to_have_count(1)
    return status


def record(page, *, number=None, scanned=None, children=0, double_tap=False, refused=False):
    check(page, number=number, scanned=scanned)
    for _ in range(children):
        page.locator('[data-stepper="children"] [data-step="1"]').click()
    before = waiting(page)
    if double_tap:
        page.locator(".desk-record").dblclick()
    else:
        page.locator(".desk-record").click()
    if refused:
        # Refused at the desk: the reason shown, the number kept for another try.
        expect(page.locator("[data-desk-problem]")).to_be_visible()
        expect(page.locator(NUMBER)).not_to_have_value("")
    else:
        expect(page.locator(NUMBER)).to_have_value("")
    return before


def unknown_number() -> str:
    from kaikukanta.cards.models import Card

    while True:
        number = damm.random_number()
        if not Card.objects.filter(number=number).exists():
            return number


@pytest.mark.django_db(transaction=True)
def test_signed_codes_are_verified_offline_and_a_revoked_number_is_refused(browser_page, site):
    card = make_card(site.distributor, children=2)
    closing = make_card(site.distributor)
    page = open_desk(browser_page, site)
    enrol(page, site, "Ovi 1")

    # The card closed on the server reaches the device's revocation list at its next refresh.
    card_services.close_card(Caller.for_console(site.users["distributor"]), closing.number, reason="lost")
    page.evaluate("KaikuOfflineSync.refresh()")
    go_offline(page)
    page.reload()
    expect(page.locator("#offline-desk")).to_have_attribute("data-ready", "true")
    expect(page.locator("[data-connection]")).to_have_text("Ei yhteyttä: käynnit säilyvät tällä laitteella")

    # A genuine code: valid, checked on the device, with its children.
    status = check(page, scanned=signing.qr_payload(card))
    expect(status).to_have_attribute("data-card-status", "valid")
    expect(status).to_contain_text("Allekirjoitettu kortin koodi, tarkistettu tällä laitteella.")
    expect(status).to_contain_text("Mukaan voi tulla enintään 2 lasta.")

    # The same code with its children changed: not genuine, and nothing can be recorded with it.
    tampered = signing.qr_payload(card).replace(".P2.", ".P5.")
    status = check(page, scanned=tampered)
    expect(status).to_have_attribute("data-card-status", "closed")
    expect(status).to_contain_text("Ei aito")
    page.locator(".desk-record").click()
    assert waiting(page) == 0

    # The closed card's genuine code: refused offline.
    status = check(page, scanned=signing.qr_payload(closing))
    expect(status).to_contain_text("Suljettu")
    page.locator(".desk-record").click()
    assert waiting(page) == 0

    # The genuine one records, verified, and is stored once the network is back.
    record(page, scanned=signing.qr_payload(card), children=2)
    assert waiting(page) == 1
    go_online(page)
    visit = Visit.objects.get()
    assert (visit.card.number, visit.children, visit.uses) == (card.number, 2, 3)
    expect(page.locator("[data-today-list]")).to_contain_text("Lähetetty")


def run_axe(page):
    assert_accessible(page, offline=True)


@pytest.mark.django_db(transaction=True)
def test_thirty_visits_offline_through_a_reload_are_stored_once_and_the_rest_are_conflicts(browser_page, site):
    offering = make_offering(site.venue, "Konsertti", date=today())
    cards = [make_card(site.distributor, children=2) for _ in range(28)]
    closing = make_card(site.distributor)
    unknown = unknown_number()
    page = open_desk(browser_page, site)
    device = enrol(page, site, "Ovi 1")
    expect(page.locator("#id_offering_id")).to_have_value(str(offering.pk))
    go_offline(page)

    children = {}
    for index, card in enumerate(cards[:27]):
        if index == 14:
            # Halfway the page is reloaded with the network still gone: the service worker serves the desk
            # and the queue is where it was.
            page.reload()
            expect(page.locator("#offline-desk")).to_have_attribute("data-ready", "true")
            expect(page.locator("[data-waiting]")).to_have_text("14 käyntiä odottaa lähetystä")
        children[card.number] = 2 if index % 4 == 0 else 0
        if index % 2:
            record(page, number=card.number, children=children[card.number])
        else:
            record(page, scanned=signing.qr_payload(card), children=children[card.number])
    # A double tap records one visit.
    before = record(page, number=cards[27].number, double_tap=True)
    assert waiting(page) == before + 1
    children[cards[27].number] = 0
    # A number no card has (its check digit is right) and a card closed on the server after its visit.
    record(page, number=unknown)
    record(page, number=closing.number)
    card_services.close_card(Caller.for_console(site.users["distributor"]), closing.number, reason="lost")
    expect(page.locator("[data-waiting]")).to_have_text("30 käyntiä odottaa lähetystä")
    assert Visit.objects.count() == 0

    go_online(page)
    visits = list(Visit.objects.select_related("card"))
    assert sorted(visit.card.number for visit in visits) == sorted(card.number for card in cards)
    assert len({visit.idempotency_key for visit in visits}) == 28
    assert {visit.card.number: visit.children for visit in visits} == children
    assert all(visit.offering_id == offering.pk for visit in visits)
    conflicts = {conflict.card_number: conflict.code for conflict in Conflict.objects.filter(device=device)}
    assert conflicts == {unknown: "card_not_found", closing.number: "card_closed"}

    # The device's counts are the register's, and each conflict says why, in Finnish.
    expect(page.locator("[data-today-summary]")).to_have_text(
        "Tänään tällä laitteella: 28 lähetetty, 0 odottaa, 2 ristiriitojen jonossa.")
    unknown_line = page.locator(f'[data-today-list] li:has-text("{unknown}")')
    expect(unknown_line).to_contain_text(f"{MEANINGS[Code.CARD_NOT_FOUND].fi} Siirretty kohteen ristiriitojen jonoon.")
    closed_line = page.locator(f'[data-today-list] li:has-text("{closing.number}")')
    expect(closed_line).to_contain_text(MEANINGS[Code.CARD_CLOSED].fi)
    device.refresh_from_db()
    assert device.pending == 0 and device.last_synced_at is not None


@pytest.mark.django_db(transaction=True)
def test_three_devices_offline_never_exceed_a_quota_and_store_all_they_promised(browser_page, site):
    offering = make_offering(site.venue, "Hamlet", date=today(), ticket_quota=20)
    cards = [make_card(site.distributor) for _ in range(27)]
    pages = []
    for name in ("Ovi 1", "Ovi 2", "Ovi 3"):
        page = open_desk(browser_page, site)
        enrol(page, site, name)
        pages.append(page)
    # Each takes a third of the quota while online, the last what is left.
    for page, share in zip(pages, (7, 7, 6), strict=True):
        page.reload()
        expect(page.locator("[data-lease-left]")).to_have_text(f"{share} lippua jäljellä tällä laitteella")
    for page in pages:
        go_offline(page)

    promised = []
    for number, (page, share) in enumerate(zip(pages, (7, 7, 6), strict=True)):
        for index, card in enumerate(cards[number * 9:(number + 1) * 9]):
            record(page, number=card.number, refused=index >= share)
        promised.append(waiting(page))
        # Beyond its share the device refuses at the desk: nothing it cannot keep is promised.
        expect(page.locator("[data-desk-problem]")).to_contain_text("Tällä laitteella ei ole tämän kohteen lippuja")
    assert promised == [7, 7, 6]

    for page in pages:
        page.context.set_offline(False)
    for page in pages:
        go_online(page)
    assert Visit.objects.filter(offering=offering).count() == 20
    assert not Conflict.objects.exists()
    for page, share in zip(pages, promised, strict=True):
        expect(page.locator("[data-today-summary]")).to_have_text(
            f"Tänään tällä laitteella: {share} lähetetty, 0 odottaa, 0 ristiriitojen jonossa.")


@pytest.mark.django_db(transaction=True)
def test_a_revoked_devices_queue_becomes_conflicts_and_it_records_no_more(browser_page, site):
    cards = [make_card(site.distributor) for _ in range(3)]
    page = open_desk(browser_page, site)
    device = enrol(page, site, "Kadonnut")
    go_offline(page)
    for card in cards:
        record(page, number=card.number)
    device_services.revoke_device(Caller.for_console(site.users["venue"]), device.pk)

    go_online(page)
    assert not Visit.objects.exists()
    assert sorted(Conflict.objects.filter(device=device).values_list("code", flat=True)) == ["device_revoked"] * 3
    expect(page.locator("[data-today-summary]")).to_have_text(
        "Tänään tällä laitteella: 0 lähetetty, 0 odottaa, 3 ristiriitojen jonossa.")
    expect(page.locator("[data-today-list] li").first).to_contain_text(MEANINGS[Code.DEVICE_REVOKED].fi)
    expect(page.locator("[data-desk-problem]")).to_contain_text("Tällä laitteella ei voi enää kirjata")
    expect(page.locator("[data-desk]")).to_be_hidden()
    # Also after a reload, online or not: the desk offers only a new enrolment.
    page.reload()
    expect(page.locator("#offline-desk")).to_have_attribute("data-ready", "true")
    expect(page.locator("[data-desk]")).to_be_hidden()
    expect(page.locator("[data-enrol]")).to_be_visible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "offline_text", "heading"), [
    ("fi", "Ei yhteyttä: käynnit säilyvät tällä laitteella", "Lipunmyynti ilman verkkoa"),
    ("sv", "Ingen förbindelse: besöken sparas på den här enheten", "Biljettförsäljning utan nät"),
    ("en", "Offline: visits are kept on this device", "Offline desk"),
])
def test_the_offline_desk_is_accessible_on_a_phone_in_every_language(browser_page, site, language, offline_text,
                                                                      heading):
    card = make_card(site.distributor, children=1)
    worker = site.users["venue"]
    worker.language = language
    worker.save(update_fields=["language"])
    page = open_desk(browser_page, site)
    run_axe(page)
    enrol(page, site, "Ovi 1")
    go_offline(page)
    page.reload()
    expect(page.locator("#offline-desk")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("[data-connection]")).to_have_text(offline_text)
    record(page, scanned=signing.qr_payload(card), children=1)
    check(page, number=make_card(site.distributor).number)
    assert page.viewport_size == {"width": 390, "height": 844}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    run_axe(page)
    screenshot(page, f"offline-desk-phone-{language}")


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_by_itself_and_a_second_tab_sees_the_same_queue(browser_page, site):
    card = make_card(site.distributor)
    page = open_desk(browser_page, site)
    enrol(page, site, "Ovi 1")
    second = page.context.new_page()
    second.goto(f"{site.base_url}/desk/offline/")
    expect(second.locator("#offline-desk")).to_have_attribute("data-ready", "true")
    expect(second.locator("[data-device]")).to_contain_text("Ovi 1")

    # The server is unavailable for the first send: the visit stays queued, in both tabs, and is sent again
    # without anyone asking.
    sends = []

    def unavailable_once(route):
        sends.append(route.request.url)
        if len(sends) == 1:
            route.fulfill(status=503, content_type="application/json",
                          body='{"error": {"code": "unavailable", "message": "Palvelu ei ole käytettävissä."}}')
        else:
            route.continue_()

    page.context.route("**/api/v1/offline/visits", unavailable_once)
    record(page, number=card.number)
    expect(page.locator("[data-last-sync]")).to_contain_text("Lähetys ei onnistunut; laite yrittää uudelleen itse.")
    expect(second.locator("[data-waiting]")).to_have_text("1 käynti odottaa lähetystä")
    assert not Visit.objects.exists()

    expect(page.locator("[data-waiting]")).to_have_text("Ei mitään lähetettävää", timeout=20_000)
    expect(second.locator("[data-waiting]")).to_have_text("Ei mitään lähetettävää")
    expect(second.locator("[data-today-summary]")).to_have_text(
        "Tänään tällä laitteella: 1 lähetetty, 0 odottaa, 0 ristiriitojen jonossa.")
    assert Visit.objects.get().card_id == card.pk
    assert len(sends) >= 2


@pytest.mark.django_db(transaction=True)
def test_the_queue_survives_a_browser_restart_offline(chromium, site, tmp_path):
    cards = [make_card(site.distributor) for _ in range(2)]
    profile = tmp_path / "profile"

    def start_browser():
        context = chromium.browser_type.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True, viewport=PHONE,
            locale="fi-FI", has_touch=True, is_mobile=True)
        context.set_default_timeout(10_000)
        return context

    browser = start_browser()
    page = browser.pages[0] if browser.pages else browser.new_page()
    log_in(page, site.base_url, site.users["venue"].username)
    page.goto(f"{site.base_url}/desk/offline/")
    expect(page.locator("#offline-desk")).to_have_attribute("data-ready", "true")
    enrol(page, site, "Ovi 1")
    go_offline(page)
    for card in cards:
        record(page, number=card.number)
    browser.close()

    # The browser started again with the network still gone: the desk and its queue are there.
    browser = start_browser()
    try:
        browser.set_offline(True)
        page = browser.pages[0] if browser.pages else browser.new_page()
        page.goto(f"{site.base_url}/desk/offline/")
        expect(page.locator("#offline-desk")).to_have_attribute("data-ready", "true")
        expect(page.locator("[data-waiting]")).to_have_text("2 käyntiä odottaa lähetystä")
        assert not Visit.objects.exists()
        go_online(page)
        assert sorted(Visit.objects.values_list("card_id", flat=True)) == sorted(card.pk for card in cards)
    finally:
        browser.close()
