"""Fails unless every collected test ran (passed or failed, not skipped) in at least one of CI's passes.

Usage: every_test_ran.py COLLECTED.txt PASS.xml [PASS.xml ...]
COLLECTED.txt is the output of a bare `pytest --collect-only -q` (the whole suite's test ids); each PASS.xml
is a pass's --junitxml report. A test deselected from one pass by its markers must have run in another, and a
test skipped at run time (a `skipif` on the engine) counts only in the pass where it was not skipped.
"""

import sys
import xml.etree.ElementTree as ElementTree


def collected_ids(path: str) -> list[str]:
    with open(path, encoding="utf-8") as listing:
        return [line.strip() for line in listing if "::" in line and not line.startswith(" ")]


def junit_key(node_id: str) -> tuple[str, str]:
    """A test id as a JUnit report names it: the module path and classes dotted, then the test's name."""
    # Only the part before the parameters is split: a parameter can hold "::" (an IPv6 address).
    path, bracket, parameters = node_id.partition("[")
    module, *rest = path.split("::")
    return ".".join([module.removesuffix(".py").replace("/", "."), *rest[:-1]]), rest[-1] + bracket + parameters


def ran(report: str) -> tuple[set[tuple[str, str]], int, int]:
    cases = ElementTree.parse(report).getroot().iter("testcase")
    done, skipped, total = set(), 0, 0
    for case in cases:
        total += 1
        if case.find("skipped") is not None:
            skipped += 1
            continue
        done.add((case.get("classname"), case.get("name")))
    return done, skipped, total


def main(collected_path: str, *reports: str) -> int:
    collected = collected_ids(collected_path)
    if not collected:
        print(f"no test ids in {collected_path}")
        return 1
    done: set[tuple[str, str]] = set()
    for report in reports:
        this_pass, skipped, total = ran(report)
        print(f"{report}: {total} tests reported, {len(this_pass)} ran, {skipped} skipped")
        done |= this_pass
    never = [node_id for node_id in collected if junit_key(node_id) not in done]
    print(f"{len(collected)} tests collected, {len(collected) - len(never)} ran in at least one pass")
    for node_id in never:
        print(f"  never ran: {node_id}")
    return 1 if never else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
