"""`python -m bench.streaming_rss export|report`: one streaming file of the national admin, written to a
temporary file, with its size, time and the process's peak RSS (run it under `/usr/bin/time -v` too).

- export: the area export (ZIP) of the area with the most cards, read to its end as the download would;
- report: the annual report (PDF) of the whole network for the year with the most visits (or BENCH_YEAR).

Uses DATABASE_URL and the production settings' environment like manage.py.
"""

import os
import sys
import tempfile
import time


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv not in (["export"], ["report"]):
        sys.exit("usage: python -m bench.streaming_rss export|report")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
    import django

    django.setup()
    from django.db.models import Count

    from kaikukanta.accounts.models import User
    from kaikukanta.cards.models import Card
    from kaikukanta.core.clock import today
    from kaikukanta.core.memory import peak_rss_mb
    from kaikukanta.stats.area_export import area_export
    from kaikukanta.stats.report import annual_report
    from kaikukanta.stats.selectors.common import Scope
    from kaikukanta.visits.models import Visit

    admin = User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.order_by("pk").first()
    started = time.monotonic()
    size = 0
    with tempfile.TemporaryFile() as out:
        if argv == ["export"]:
            top = (Card.objects.values("issuer__area").annotate(n=Count("pk")).order_by("-n").first())
            _area, chunks = area_export(admin, top["issuer__area"])
            for chunk in chunks:
                size += out.write(chunk)
            what = f"area export of area {top['issuer__area']} ({top['n']:,} cards)"
        else:
            year = int(os.environ.get("BENCH_YEAR", 0)) or (
                Visit.objects.values_list("used_on__year").annotate(n=Count("pk")).order_by("-n").first()[0])
            size = out.write(annual_report(Scope(), year, "fi", today()))
            what = f"annual report of the network, {year}"
    print(f"{what}: {size:,} bytes in {time.monotonic() - started:.1f} s, peak RSS {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
