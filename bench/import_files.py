"""`python -m bench.import_files`: card and visit files for `import_cards` / `import_visits`, made from a
database's own rows (a `generate_demo` database), deterministic for a seed.

- cards: existing cards re-issued under fresh numbers (not in any stock, not repeated in the file), with
  their type, issuer, days (validity at most the default 12 months: a renewed card's end is its renewal's),
  holder data and status; a file longer than the database's cards goes round again;
- visits: existing (not cancelled) visits copied as they are, round again as needed (quotas are not applied
  to imported history, so copies are good rows).

Usage: DATABASE_URL=postgres://... python -m bench.import_files OUT_DIR [--cards N ...] [--visits N ...]
[--seed S]. Writes OUT_DIR/cards_N.csv and OUT_DIR/visits_N.csv.
"""

import argparse
import csv
import os
import random
import sys
from pathlib import Path

import psycopg

from kaikukanta.core import damm

CARD_HEADER = ("number", "card_type", "issuer_id", "issued_on", "valid_until", "birth_year", "postal_code",
               "children", "gender", "status")
VISIT_HEADER = ("card_number", "venue_id", "offering_id", "used_on", "children", "clients", "assistants")


def _text(value) -> str:
    return "" if value is None else str(value)


def write_cards(connection, path: Path, rows: int, seed: int) -> None:
    taken = {number for (number,) in connection.execute("SELECT number FROM cards_stocknumber")}
    taken.update(number for (number,) in connection.execute("SELECT number FROM cards_card"))
    chooser = random.Random(seed)

    def fresh() -> str:
        while True:
            body = f"{chooser.randrange(10**9):09d}"
            number = body + damm.check_digit(body)
            if number not in taken:
                taken.add(number)
                return number

    def card(card_type, issuer_id, issued_on, valid_until, birth_year, postal_code, children, gender, closed):
        # A card without holder data (a community card) leaves the holder's columns empty.
        no_holder = birth_year is None and postal_code is None and not gender and not children
        return (fresh(), card_type, issuer_id, issued_on, valid_until, _text(birth_year), _text(postal_code),
                "" if no_holder else children, gender, "closed" if closed else "active")

    _write(connection, path, CARD_HEADER, rows, seed, card,
           "SELECT card_type, issuer_id, issued_on, "
           "LEAST(valid_until, CAST(issued_on + interval '12 months' AS date)), birth_year, postal_code_id, "
           "children, gender, closed_on IS NOT NULL FROM cards_card ORDER BY md5(id::text || %s)")


def write_visits(connection, path: Path, rows: int, seed: int) -> None:
    def visit(number, venue_id, offering_id, used_on, children, clients, assistants):
        return (number, venue_id, _text(offering_id), used_on, children, clients, assistants)

    _write(connection, path, VISIT_HEADER, rows, seed, visit,
           "SELECT c.number, v.venue_id, v.offering_id, v.used_on, v.children, v.clients, v.assistants "
           "FROM visits_visit v JOIN cards_card c ON c.id = v.card_id WHERE v.cancelled_at IS NULL "
           "ORDER BY md5(v.id::text || %s)")


def _write(connection, path: Path, header: tuple, rows: int, seed: int, line, query: str) -> None:
    """`rows` lines of `line(*row)` for the rows of `query`, in a seeded order (its one parameter), so a short
    file is a sample of the whole database; round again, in another order, while more are wanted."""
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        while written < rows:
            before = written
            with connection.cursor(name="rows") as cursor:
                cursor.itersize = 20000
                cursor.execute(query, [str(seed + written)])
                for row in cursor:
                    writer.writerow(line(*row))
                    written += 1
                    if written == rows:
                        break
            if written == before:
                sys.exit(f"{path.name}: the database has no rows to copy")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cards", type=int, nargs="*", default=[10_000])
    parser.add_argument("--visits", type=int, nargs="*", default=[10_000])
    parser.add_argument("--seed", type=int, default=3)
    options = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name the PostgreSQL database to read (a generate_demo database)")
    options.out.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url) as connection:
        for rows in options.cards:
            write_cards(connection, options.out / f"cards_{rows}.csv", rows, options.seed)
        for rows in options.visits:
            write_visits(connection, options.out / f"visits_{rows}.csv", rows, options.seed)


if __name__ == "__main__":
    main()
