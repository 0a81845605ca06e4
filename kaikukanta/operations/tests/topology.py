"""The whole system on this machine as separate processes, as separate hosts would run it: HAProxy (Debian's) in
front of two app instances (operations/serve.py), a Celery worker and beat, Redis (cache and broker), and a
PostgreSQL primary with a streaming hot standby. Each part can be killed and started again by the test."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from kaikukanta.core.tests.private_postgres import PYTHON, ROOT, free_port
from kaikukanta.operations import serve

from .replica_pair import ReplicatedPair

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
HAPROXY_CFG = """
global
    maxconn 2000
defaults
    mode http
    option redispatch
    retries 2
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # The check waits its turn behind the desks' requests on a busy instance: a slow answer is not a dead host.
    timeout check 5s
frontend public
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /readyz
    # As deploy/haproxy.cfg: the check names an allowed host (an HTTP/1.0 check without one is refused 400).
    http-check send hdr Host 127.0.0.1
    default-server inter 500ms fall 2 rise 2
{servers}
"""


class Process:
    def __init__(self, name: str, command: list[str], env: dict, directory: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = directory / f"{name}.log"
        self.process = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                        start_new_session=True)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


class Topology:
    def __init__(self, database_env: dict):
        self.directory = Path(tempfile.mkdtemp(prefix="kk-topology-"))
        self.database = ReplicatedPair()
        self.redis_port, self.proxy_port = free_port(), free_port()
        self.app_ports = [free_port(), free_port()]
        self.base = f"http://127.0.0.1:{self.proxy_port}"
        self.extra_env = database_env
        self.parts: dict[str, Process] = {}

    def env(self) -> dict:
        redis = f"redis://127.0.0.1:{self.redis_port}"
        env = {**os.environ, "DATABASE_URL": self.database.primary.url,
               "DATABASE_REPLICA_URL": self.database.standby.url,
               "REDIS_URL": f"{redis}/0", "CELERY_BROKER_URL": f"{redis}/1", "DJANGO_DEBUG": "0",
               "SECRET_KEY": "topology-test-only-secret", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0",
               "KAIKUKANTA_TRUSTED_PROXIES": "1", "KAIKUKANTA_FOLD_SECONDS": "1",
               "KAIKUKANTA_REPLICA_CHECK_SECONDS": "0.5", **self.extra_env}
        return env

    def start(self) -> None:
        self.database.init()
        env = self.env()
        bin_dir = PYTHON.parent
        self.parts["redis"] = Process("redis", [REDIS, "--port", str(self.redis_port), "--bind", "127.0.0.1",
                                                "--save", "", "--appendonly", "no"], env, self.directory)
        for number, port in enumerate(self.app_ports, 1):
            self.parts[f"app{number}"] = Process(f"app{number}", serve.command(f"127.0.0.1:{port}", 2),
                                                 env, self.directory)
        self.parts["worker"] = Process("worker", [str(bin_dir / "celery"), "-A", "kaikukanta", "worker",
                                                  "--pool", "solo", "--loglevel", "WARNING", "--without-gossip",
                                                  "--without-mingle"], env, self.directory)
        self.parts["beat"] = Process("beat", [str(bin_dir / "celery"), "-A", "kaikukanta", "beat", "--loglevel",
                                              "WARNING", "--schedule", str(self.directory / "beat-schedule")],
                                     env, self.directory)
        servers = "\n".join(f"    server app{n} 127.0.0.1:{port} check" for n, port in enumerate(self.app_ports, 1))
        config = self.directory / "haproxy.cfg"
        config.write_text(HAPROXY_CFG.format(port=self.proxy_port, servers=servers))
        self.parts["proxy"] = Process("proxy", [HAPROXY, "-f", str(config), "-db"], env, self.directory)

    def run_parts(self, *names: str) -> None:
        for name in names:
            self.parts[name].start()

    def wait_ready(self, base: str, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"{base} not ready: " + "\n".join(p.log() for p in self.parts.values()))

    def remove(self) -> None:
        for part in reversed(list(self.parts.values())):
            part.kill()
        self.database.remove()
        shutil.rmtree(self.directory, ignore_errors=True)
