import pytest

from kaikukanta.testing import ApiClient, build_network


@pytest.fixture(autouse=True)
def reference_data_survives_flushes(request, django_db_blocker):
    """A transactional test ends by flushing every table, the migration-loaded reference data with
    them. Whether that flush runs before or after this fixture's teardown depends on the order the
    database fixtures were requested in, so the data is put back both before and after such a test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames)
    if transactional:
        _restore_reference_data(django_db_blocker)
    yield
    if transactional:
        _restore_reference_data(django_db_blocker)


def _restore_reference_data(django_db_blocker):
    import importlib

    from kaikukanta.programme import selectors as programme_selectors
    from kaikukanta.programme.models import RuleVersion
    from kaikukanta.reference.models import Municipality
    from kaikukanta.reference.services import load_reference

    with django_db_blocker.unblock():
        if not Municipality.objects.exists():
            load_reference(apps=_EveryModel())
        # The programme's first national version (and what areas may set) is migration data too.
        if not RuleVersion.objects.filter(area__isnull=True).exists():
            importlib.import_module("kaikukanta.programme.migrations.0002_national_defaults").forwards(
                _EveryModel(), None)
            programme_selectors.forget()


class _EveryModel:
    """Model look-up that ignores a test's `available_apps`: a test may leave the reference app out of
    its flush and still need the rows an earlier flush took away."""

    @staticmethod
    def get_model(app_label: str, model_name: str):
        from django.apps import apps

        return apps.all_models[app_label][model_name.lower()]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counts (cards.guessing, public and login limits) live in the cache, which outlives a test
    in the local-memory backend: every test starts with none, as a test client's address is always the same."""
    from django.core.cache import cache

    from kaikukanta.programme import selectors as programme_selectors

    cache.clear()
    programme_selectors.forget()
    yield
    programme_selectors.forget()


@pytest.fixture
def network(db):
    return build_network()


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (real concurrency) run in the PostgreSQL pass; in that pass a missing
    server is an error, never a skip. A test driving the browser is marked `once` (its pages do not
    depend on the engine), so CI runs it in one pass of two; `tryfirst` so that `-m "not once"` sees
    the mark."""
    import os

    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("KAIKUKANTA_REQUIRE_POSTGRES") == "1" and not on_postgres:
        raise pytest.UsageError("KAIKUKANTA_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass of `.ci/run`")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.once)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, started once for the whole run."""
    import os

    from kaikukanta.core.browser import CHROMIUM, CHROMIUM_FLAGS, browser_required

    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
    # it are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The test network behind a live server, every user with a known password."""
    from kaikukanta.core.browser import TEST_PASSWORD

    network = build_network()
    for user in network.users.values():
        user.set_password(TEST_PASSWORD)
        user.save(update_fields=["password"])
    network.base_url = live_server.url
    return network


@pytest.fixture
def browser_page(chromium, site):
    """`browser_page(role=None, phone=False)`: a fresh browser page, signed in as `role` when given."""
    from playwright.sync_api import expect

    from kaikukanta.core.browser import DESKTOP, PHONE, log_in

    # The same patience for assertions as for actions: a busy two-core CI machine can take more than
    # Playwright's default 5 s to answer a card check while other suites run.
    expect.set_options(timeout=10_000)
    contexts = []

    def open_page(role: str | None = None, *, phone: bool = False, language: str | None = None):
        context = chromium.new_context(viewport=PHONE if phone else DESKTOP, locale=language or "fi-FI",
                                       has_touch=phone, is_mobile=phone)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if role:
            log_in(page, site.base_url, site.users[role].username)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True, scope="session")
def prepared_files_in_a_temporary_directory(tmp_path_factory):
    """Files prepared in the background (reports, area exports) go to the test run's own directory."""
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {**settings.STORAGES, "prepared_files": {
        **settings.STORAGES["prepared_files"],
        "OPTIONS": {**settings.STORAGES["prepared_files"]["OPTIONS"],
                    "location": str(tmp_path_factory.mktemp("prepared-files"))}}}
    with override_settings(STORAGES=storages):
        yield
