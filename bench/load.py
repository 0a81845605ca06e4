"""A closed-loop HTTP load driver: N clients, each with one keep-alive connection, for a fixed time."""

import http.client
import json
import random
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    name: str
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> dict:
        return {
            "name": self.name, "clients": self.clients, "seconds": round(self.seconds, 1),
            "requests": self.requests, "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 2), "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "transport_errors": self.transport_errors,
        }


def run_load(name: str, host: str, port: int, token: str, make_request, *, clients: int, seconds: float,
             seed: int = 1) -> LoadResult:
    """`make_request(rng)` returns (method, path, body_dict_or_None, extra_headers)."""
    result = LoadResult(name=name, clients=clients, seconds=seconds)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        connection = http.client.HTTPConnection(host, port, timeout=30)
        latencies, statuses, errors = [], {}, 0
        while time.perf_counter() < deadline:
            method, path, body, headers = make_request(rng)
            payload = json.dumps(body) if body is not None else None
            all_headers = {"Authorization": f"Bearer {token}", "Accept-Language": "fi", **headers}
            if payload is not None:
                all_headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                connection.request(method, path, body=payload, headers=all_headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()
        with lock:
            result.latencies_ms.extend(latencies)
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count
            result.transport_errors += errors

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def card_check(numbers: list[str]):
    def make(rng):
        return "GET", f"/api/v1/cards/{rng.choice(numbers)}", None, {}
    return make


def visit_registration(numbers: list[str], offering_id: int | None):
    def make(rng):
        body = {"card_number": rng.choice(numbers)}
        if offering_id is not None:
            body["offering_id"] = offering_id
        # A fresh key each time: keys drawn from the seeded generator would repeat those of an earlier run on
        # the same database, and their replays would be measured instead of registrations.
        return "POST", "/api/v1/visits", body, {"Idempotency-Key": str(uuid.uuid4())}
    return make


def statistics_request(path: str):
    def make(rng):
        return "GET", path, None, {}
    return make
