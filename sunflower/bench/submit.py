"""`sunflower bench submit`: PHQ-9 submissions through the real pages against a one-row insert.

Starts the production serving configuration of DESIGN.md §6 (gunicorn, sync worker processes,
persistent database connections) on the configured PostgreSQL database, with the bench-only
insert endpoint switched on for that server alone (SUNFLOWER_BENCH_ENDPOINTS). C client threads,
each logged in as its own cadre through the real login form and holding an API token it asked
for once through the app's API, then run four phases interleaved (insert, submit, submit-only,
api, insert, … one of each per round):

- insert: POST /bench/insert/ — one BenchRow per request, no session (the baseline);
- submit: a whole PHQ-9 the way the pages post it — start the draft (POST the intro page), page
  1 with items 1–5, page 2 with items 6–9, "submit" and a fresh token. Each of the three is a
  request of the submission path; each response is scored, encrypted, audited and checked by
  the warning rules;
- submit-only: the submission request alone. Every client first prepares a draft (start and
  page 1, not timed); then all post their last page with go=submit at once, and only that
  burst is timed; repeated until the phase's time is used up;
- api: a whole PHQ-9 the way the mini-program sends it — one POST /api/v1/responses/ with the
  token as Bearer and the nine answers as JSON, scored, encrypted, audited and checked by the
  warning rules in that one request; one request is one response.

Reported: median throughput over rounds per phase, p50/p95/p99 request latency per phase, the
CPU each request cost the server (gunicorn workers, this database's PostgreSQL backends) and the
bench client, and four ratios to inserts/s. The headline, the unit the target is read in
(issue 4 item 10, as the lead decided), is requests/s of the submission path per insert/s;
right after it, API responses/s (one request each) per insert/s, also read against the target;
responses/s through the pages (three requests each) and submit-only submissions/s per insert/s
are reported beside them, and so is the ratio of server CPU per request, which a busy shared
machine disturbs far less.
Only 127.0.0.1 is loaded; the server is stopped at the end, also on error. The command fails
only on errors (an unexpected status, a count in the database that does not match), never on
speed. Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from sunflower.accounts.models import User
from sunflower.assessments.models import Response, ResponseStatus
from sunflower.bench.models import BenchRow
from sunflower.lib.validators import id_check_code
from sunflower.orgs.models import Person, Unit, UnitType
from sunflower.privacy.actions import do_give_consent
from sunflower.privacy.consent import current_notice, has_consent

DEFAULT_CLIENTS = 32
DEFAULT_WORKERS = 4
DEFAULT_ROUNDS = 3
DEFAULT_SECONDS = 10.0
DEFAULT_WARM_UP = 2.0
STARTUP_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0
INSTRUMENT = "phq9"
PAGE_SIZE = 5  # assessments.catalogue.PAGE_SIZE: PHQ-9 is items 1–5, then 6–9
ITEMS = 9
# Answer codes 0–3 drawn mostly low, as in a screening population; some responses still cross
# a threshold or endorse item 9 and so propose a warning.
CODE_WEIGHTS = (0.55, 0.25, 0.12, 0.08)
BENCH_UNIT_CODE = "BENCH-SUBMIT"
USERNAME = "bench-cadre-{n:03d}"
INSERT_BODY = "压测" * 64
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGE_URL = re.compile(r"^/m/assessments/r/([0-9a-f-]{36})/(\d+)/$")
RESULT_URL = re.compile(r"^/m/assessments/r/([0-9a-f-]{36})/$")
API_SIGN_IN_PATH = "/api/v1/auth/token"
API_RESPONSES_PATH = "/api/v1/responses/"
API_SITTING = timedelta(minutes=5)  # started_at: the form opened on the phone 5 minutes ago
# The API's per-account throttle (SUNFLOWER_API_RATE, default 120/m) stays on in the bench
# server so its cost is measured, but with a rate no client reaches: it never refuses.
BENCH_API_RATE = "1000000/m"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS, help="concurrent cadres")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument(
        "--seconds", type=float, default=DEFAULT_SECONDS, help="length of each phase per round"
    )
    parser.add_argument(
        "--warm-up", type=float, default=DEFAULT_WARM_UP, help="seconds of each phase, unrecorded"
    )


class BenchError(Exception):
    """Something went wrong in a client: counted, and the run fails at the end."""


# The server ---------------------------------------------------------------------------------


def database_url() -> str:
    """The configured database as a URL, for the server process (the test database in tests)."""
    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "")
    if conf["PASSWORD"]:
        credentials += ":" + quote(conf["PASSWORD"])
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(conf['NAME'])}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the arbiter and its workers, nothing else
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def start_server(workers: int, log_dir: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "600",  # persistent connections, as in production
        "DEBUG": "false",
        "SUNFLOWER_BENCH_ENDPOINTS": "true",
        # The throttle still runs (its cache reads and writes are part of each API request's
        # cost) but never answers 429 to the bench's clients.
        "SUNFLOWER_API_RATE": BENCH_API_RATE,
        # The same keys as this process, whatever the server's working directory.
        "SUNFLOWER_VAR_DIR": str(Path(settings.VAR_DIR).resolve()),
    }
    if settings.SUNFLOWER_MASTER_KEY_FILE:
        env["SUNFLOWER_MASTER_KEY_FILE"] = str(Path(settings.SUNFLOWER_MASTER_KEY_FILE).resolve())
    log = log_dir / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "sunflower.wsgi:application",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=settings.BASE_DIR,
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ValueError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            reply = conn.getresponse()
            reply.read()
            conn.close()
            if reply.status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise ValueError(f"gunicorn did not answer /healthz in {STARTUP_TIMEOUT:.0f} s")


# The cadres ---------------------------------------------------------------------------------


def prepare_cadres(count: int) -> tuple[list[User], str]:
    """*count* cadres in a bench unit, each with an account and consent; one known password.

    Reused on a second run; the password (and its one Argon2 hash) is new each run."""
    notice = current_notice()
    if notice is None:
        raise ValueError("no consent notice is in force: run `sunflower migrate` first")
    password = secrets.token_urlsafe(12) + "-Aa1"
    hashed = make_password(password)
    unit, _ = Unit.objects.get_or_create(
        code=BENCH_UNIT_CODE,
        defaults={"name": "压测单位", "unit_type": UnitType.PARTY_GOVERNMENT},
    )
    users = []
    for n in range(1, count + 1):
        username = USERNAME.format(n=n)
        user = User.objects.filter(username=username).select_related("person").first()
        if user is None:
            first17 = f"990000{19800101 + n % 28:08d}{n % 1000:03d}"
            person = Person(
                name=f"压测{n:03d}",
                gender="M" if n % 2 else "F",
                birth_date=f"1980-01-{1 + n % 28:02d}",
                id_number=first17 + id_check_code(first17),
                mobile=f"199{n:08d}",
                unit=unit,
            )
            person.save()
            user = User(username=username, display_name=person.name, person=person)
        user.password = hashed
        user.is_active = True
        user.save()
        if user.person is None:
            raise ValueError(f"{username} exists but is not a cadre: use a scratch database")
        if not has_consent(user.person):
            do_give_consent(user, notice)
        users.append(user)
    return users, password


# The clients --------------------------------------------------------------------------------


@dataclass
class Client:
    """One cadre's browser: a keep-alive connection (reopened when the server closes it, as
    gunicorn's sync workers do after each response) and its cookies."""

    port: int
    rng: random.Random
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None
    prepared: tuple[str, dict[str, str]] | None = None
    api_token: str = ""

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        *,
        session: bool = True,
        payload: dict[str, Any] | None = None,
        bearer: str = "",
    ) -> tuple[int, str, str, float]:
        """(status, Location, body, seconds) of one request: a form, or *payload* as JSON."""
        headers = {"Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if session and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        for attempt in (1, 2):
            conn = self.conn or http.client.HTTPConnection("127.0.0.1", self.port, REQUEST_TIMEOUT)
            self.conn = conn
            try:
                conn.request(method, path, body=body, headers=headers)
                reply = conn.getresponse()
                text = reply.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - started
        if reply.getheader("Connection", "").lower() == "close":
            self.close()
        if session:
            for header in reply.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        return reply.status, reply.getheader("Location", ""), text, seconds

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def login(self, username: str, password: str) -> None:
        status, _, text, _ = self.request("GET", "/accounts/login/")
        found = CSRF_FIELD.search(text)
        if status != 200 or found is None:
            raise BenchError(f"login page: status {status}, no CSRF field")
        form = {"csrfmiddlewaretoken": found.group(1), "username": username, "password": password}
        status, location, _, _ = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"login of {username}: status {status} → {location!r}")

    def api_sign_in(self, username: str, password: str) -> None:
        """An API token for this cadre, asked for once as the app does, kept for the run."""
        status, _, text, _ = self.request(
            "POST",
            API_SIGN_IN_PATH,
            payload={"login": username, "password": password, "device": "bench submit"},
            session=False,
        )
        try:
            token = json.loads(text).get("token", "") if status == 201 else ""
        except ValueError:
            token = ""
        if not token:
            raise BenchError(f"API token of {username}: status {status} {text[:200]!r}")
        self.api_token = token

    def csrf(self) -> dict[str, str]:
        return {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}

    def codes(self, count: int) -> list[int]:
        """*count* answer codes 0–3, drawn with CODE_WEIGHTS (pages and API alike)."""
        return self.rng.choices(range(4), weights=CODE_WEIGHTS, k=count)

    def answers(self, numbers: range) -> dict[str, str]:
        codes = self.codes(len(numbers))
        return {f"q{number}": str(code) for number, code in zip(numbers, codes, strict=True)}

    def insert(self, latencies: list[float]) -> int:
        status, _, _, seconds = self.request(
            "POST", "/bench/insert/", {"body": INSERT_BODY}, session=False
        )
        if status != 201:
            raise BenchError(f"insert: status {status}")
        latencies.append(seconds)
        return 1

    def steps(self) -> list[dict[str, str]]:
        """The three POSTs of one PHQ-9, as the pages send them: start, page 1, page 2."""
        return [
            {},  # the intro page's "start"
            {**self.answers(range(1, PAGE_SIZE + 1)), "go": "next"},
            {
                **self.answers(range(PAGE_SIZE + 1, ITEMS + 1)),
                "go": "submit",
                "token": secrets.token_hex(16),
            },
        ]

    def post_step(self, number: int, path: str, step: dict[str, str]) -> tuple[str, float]:
        """POST one step; (where it redirects, seconds). The last one lands on the result."""
        status, location, _, seconds = self.request("POST", path, {**self.csrf(), **step})
        expect = RESULT_URL if number == 2 else PAGE_URL
        if status != 302 or not expect.match(location):
            raise BenchError(f"submit step {number + 1} ({path}): {status} → {location!r}")
        return location, seconds

    def submit(self, latencies: list[float]) -> int:
        """One PHQ-9 from start to submit: three POSTs (three requests), one response."""
        path, step = self.start_and_page_1(latencies)
        _location, seconds = self.post_step(2, path, step)
        latencies.append(seconds)
        return 1

    def start_and_page_1(self, latencies: list[float]) -> tuple[str, dict[str, str]]:
        """Start (or resume) the draft and answer page 1: (page 2's URL, its POST)."""
        steps = self.steps()
        path, seconds = self.post_step(0, f"/m/assessments/{INSTRUMENT}/", steps[0])
        latencies.append(seconds)
        found = PAGE_URL.match(path)
        if found is not None and found.group(2) == "1":
            path, seconds = self.post_step(1, path, steps[1])
            latencies.append(seconds)
        # else a draft left with page 1 answered (a run interrupted mid-response) was resumed
        return path, steps[2]

    def prepare(self) -> None:
        """Start a draft and answer page 1 (not timed): the draft that submit_last sends."""
        self.prepared = self.start_and_page_1([])

    def submit_last(self, latencies: list[float]) -> int:
        """The submission request alone: page 2 with go=submit into the prepared draft."""
        if self.prepared is None:
            raise BenchError("submit-only: no prepared draft")
        path, step = self.prepared
        self.prepared = None
        _location, seconds = self.post_step(2, path, step)
        latencies.append(seconds)
        return 1

    def submit_api(self, latencies: list[float]) -> int:
        """One PHQ-9 through the app's API: one request, one response (a fresh token each)."""
        payload = {
            "instrument": INSTRUMENT,
            "answers": self.codes(ITEMS),
            "token": secrets.token_hex(16),
            "started_at": (datetime.now(UTC) - API_SITTING).isoformat(),
        }
        status, _, text, seconds = self.request(
            "POST", API_RESPONSES_PATH, payload=payload, bearer=self.api_token, session=False
        )
        if status != 201:
            raise BenchError(f"api: status {status} {text[:200]!r}")
        latencies.append(seconds)
        return 1


# The phases ---------------------------------------------------------------------------------


# CPU per request ------------------------------------------------------------------------------
# Throughput on a shared machine moves with everyone else's load; the CPU time the server's own
# processes spend per request moves much less. Read from /proc (Linux; PostgreSQL on this host),
# it is reported beside the rates, never instead of them.

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def child_pids(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(entry.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


@dataclass
class Meter:
    """CPU seconds of the gunicorn workers, of this database's PostgreSQL backends (when the
    server runs on this host) and of the bench client itself."""

    workers: list[int]
    backends: list[int]

    @classmethod
    def of(cls, server: Server) -> Meter:
        backends: list[int] = []
        if (connection.settings_dict["HOST"] or "127.0.0.1") in ("127.0.0.1", "localhost", "::1"):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                backends = [pid for (pid,) in cursor.fetchall() if Path(f"/proc/{pid}").exists()]
        return cls(child_pids(server.process.pid), backends)

    def read(self) -> tuple[float, float, float]:
        return (
            sum(process_seconds(pid) for pid in self.workers),
            sum(process_seconds(pid) for pid in self.backends),
            time.process_time(),
        )


def spent(before: tuple[float, float, float], after: tuple[float, float, float]) -> list[float]:
    return [b - a for a, b in zip(before, after, strict=True)]


@dataclass
class PhaseRun:
    units: int
    requests: int
    seconds: float
    latencies: list[float]
    errors: list[str]
    cpu: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])  # workers, database, client


def run_phase(
    clients: list[Client],
    work: Callable[[Client, list[float]], int],
    seconds: float,
    meter: Meter | None = None,
) -> PhaseRun:
    """Every client repeats *work* until *seconds* have passed; a unit under way finishes."""
    counts = [0] * len(clients)
    latencies: list[list[float]] = [[] for _ in clients]
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)
    deadline = 0.0

    def loop(index: int) -> None:
        start.wait()
        client = clients[index]
        while time.perf_counter() < deadline:
            try:
                counts[index] += work(client, latencies[index])
            except (BenchError, OSError, http.client.HTTPException) as exc:
                client.close()
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.05)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    before = meter.read() if meter else (0.0, 0.0, 0.0)
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 4 * REQUEST_TIMEOUT)
    elapsed = time.perf_counter() - began
    cpu = spent(before, meter.read()) if meter else [0.0, 0.0, 0.0]
    merged = [value for values in latencies for value in values]
    return PhaseRun(sum(counts), len(merged), elapsed, merged, errors, cpu)


def run_bursts(clients: list[Client], seconds: float, meter: Meter | None = None) -> PhaseRun:
    """Submit-only: every client prepares a draft (not timed), then all send their submission
    at once and the burst is timed, until the bursts add up to *seconds*. The clock runs from
    the release of the burst to its last answer, so the burst's ramp-down (fewer requests
    than workers at the end) counts against this phase, never for it."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors: list[str] = []
    units = 0
    timed = 0.0
    cpu = [0.0, 0.0, 0.0]

    def guarded(index: int, work: Callable[[int], int]) -> int:
        try:
            return work(index)
        except (BenchError, OSError, http.client.HTTPException) as exc:
            clients[index].close()
            clients[index].prepared = None
            errors.append(f"{type(exc).__name__}: {exc}")
            return 0

    def prepare(index: int) -> int:
        clients[index].prepare()
        return 0

    def send(index: int) -> int:
        return clients[index].submit_last(latencies[index])

    indexes = range(len(clients))
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        while timed < seconds and len(errors) < len(clients):
            list(pool.map(lambda i: guarded(i, prepare), indexes))
            ready = [i for i in indexes if clients[i].prepared is not None]
            before = meter.read() if meter else (0.0, 0.0, 0.0)
            began = time.perf_counter()
            units += sum(pool.map(lambda i: guarded(i, send), ready))
            timed += time.perf_counter() - began
            if meter:
                cpu = [a + b for a, b in zip(cpu, spent(before, meter.read()), strict=True)]
    merged = [value for values in latencies for value in values]
    return PhaseRun(units, len(merged), timed, merged, errors, cpu)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Phase:
    name: str
    runs: list[PhaseRun] = field(default_factory=list)

    def unit_rates(self) -> list[float]:
        return [run.units / run.seconds for run in self.runs]

    def request_rates(self) -> list[float]:
        return [run.requests / run.seconds for run in self.runs]

    def latencies(self) -> list[float]:
        return [value for run in self.runs for value in run.latencies]

    def errors(self) -> list[str]:
        return [error for run in self.runs for error in run.errors]

    def units(self) -> int:
        return sum(run.units for run in self.runs)

    def cpu_per_request(self) -> list[float]:
        """Milliseconds of CPU per request: gunicorn workers, PostgreSQL, bench client."""
        requests = sum(run.requests for run in self.runs)
        if not requests:
            return [float("nan")] * 3
        return [1000 * sum(run.cpu[i] for run in self.runs) / requests for i in range(3)]


# The report ---------------------------------------------------------------------------------


def machine_line() -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load}"


def milliseconds(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def report(out: TextIO, insert: Phase, submit: Phase, submit_only: Phase, api: Phase) -> None:
    insert_rate = statistics.median(insert.unit_rates())
    submit_responses = statistics.median(submit.unit_rates())
    submit_requests = statistics.median(submit.request_rates())
    only_rate = statistics.median(submit_only.unit_rates())
    api_rate = statistics.median(api.unit_rates())
    per_round = lambda rates: ", ".join(f"{rate:,.0f}" for rate in rates)  # noqa: E731
    out.write(
        f"insert: {insert_rate:,.0f} inserts/s (rounds: {per_round(insert.unit_rates())})\n"
        f"submit: {submit_requests:,.0f} requests/s, {submit_responses:,.1f} responses/s "
        f"(rounds: {per_round(submit.request_rates())} requests/s)\n"
        f"submit-only: {only_rate:,.0f} submissions/s "
        f"(rounds: {per_round(submit_only.unit_rates())})\n"
        f"api: {api_rate:,.0f} responses/s (rounds: {per_round(api.unit_rates())})\n"
    )
    for phase in (insert, submit, submit_only, api):
        values = phase.latencies()
        out.write(
            f"{phase.name} latency per request: p50 {milliseconds(percentile(values, 0.50))}, "
            f"p95 {milliseconds(percentile(values, 0.95))}, "
            f"p99 {milliseconds(percentile(values, 0.99))} ({len(values):,} requests)\n"
        )

    server_cpu = {}
    for phase in (insert, submit, submit_only, api):
        workers, database, client = phase.cpu_per_request()
        server_cpu[phase.name] = workers + database
        out.write(
            f"{phase.name} CPU per request: server {workers + database:.2f} ms (gunicorn "
            f"{workers:.2f}, PostgreSQL {database:.2f}), bench client {client:.2f} ms\n"
        )

    def ratio(rate: float) -> float:
        return rate / insert_rate if insert_rate else float("nan")

    headline = ratio(submit_requests)
    api_ratio = ratio(api_rate)
    out.write(
        f"ratio submit/insert per request: {headline:.2f} "
        "(requests/s of the submission path ÷ inserts/s, the target's unit); "
        f"target ≥ 0.50: {'met' if headline >= 0.5 else 'not met'}\n"
        f"ratio api/insert per response: {api_ratio:.2f} "
        "(one request is one whole PHQ-9 through the app's API ÷ inserts/s); "
        f"target ≥ 0.50: {'met' if api_ratio >= 0.5 else 'not met'}\n"
        f"ratio submit/insert per response: {ratio(submit_responses):.2f} "
        "(whole PHQ-9 responses/s, three requests each, ÷ inserts/s)\n"
        f"ratio submit-only/insert: {ratio(only_rate):.2f} "
        "(submission requests alone, go=submit on the last page, ÷ inserts/s)\n"
        f"server CPU ratio per request: {cpu_ratio(server_cpu, 'submit'):.2f} "
        f"(submit-only {cpu_ratio(server_cpu, 'submit-only'):.2f}, "
        f"api {cpu_ratio(server_cpu, 'api'):.2f}): insert's server CPU per "
        "request ÷ the submission path's, the throughput ratio the server would reach with "
        "the cores to itself\n"
    )


def cpu_ratio(server_cpu: dict[str, float], name: str) -> float:
    cost = server_cpu[name]
    return server_cpu["insert"] / cost if cost else float("nan")


def run(options: dict[str, Any], out: TextIO) -> None:
    clients_wanted: int = options["clients"]
    rounds: int = options["rounds"]
    seconds: float = options["seconds"]
    warm_up: float = options["warm_up"]
    workers: int = options["workers"]
    if connection.vendor != "postgresql":
        raise ValueError(
            "bench submit measures the production configuration and needs PostgreSQL: point "
            "DATABASE_URL at a scratch PostgreSQL database (it adds cadres, responses and "
            f"audit entries), not {connection.vendor}"
        )
    if clients_wanted < 1 or rounds < 1 or seconds <= 0 or warm_up < 0 or workers < 1:
        raise ValueError("--clients, --rounds, --seconds and --workers must be positive")
    if settings.DEBUG:
        out.write("warning: DEBUG is on here; the server runs with DEBUG=false\n")

    out.write(
        f"bench submit: {connection.vendor} {connection.settings_dict['NAME']}, gunicorn "
        f"{workers} sync workers, {clients_wanted} clients, {rounds} rounds × {seconds:g} s "
        f"per phase\nmachine: {machine_line()}\n"
    )
    users, password = prepare_cadres(clients_wanted)
    people = [user.person_id for user in users]
    BenchRow.objects.all().delete()
    began = timezone.now()
    before = Response.objects.filter(person__in=people, status=ResponseStatus.SUBMITTED).count()
    insert, submit, submit_only = Phase("insert"), Phase("submit"), Phase("submit-only")
    api = Phase("api")
    with tempfile.TemporaryDirectory(prefix="sf-bench-submit-") as log_dir:
        server = start_server(workers, Path(log_dir))
        clients: list[Client] = []
        try:
            for n, user in enumerate(users):
                client = Client(server.port, random.Random(n))  # noqa: S311 (test answers)
                client.login(user.username, password)
                client.api_sign_in(user.username, password)
                clients.append(client)
            if warm_up:
                for warm in (
                    run_phase(clients, Client.insert, warm_up),
                    run_phase(clients, Client.submit, warm_up),
                    run_bursts(clients, warm_up / 4),
                    run_phase(clients, Client.submit_api, warm_up),
                ):
                    if warm.errors:
                        raise ValueError(f"warm-up failed: {warm.errors[0]}")
            meter = Meter.of(server)  # after the warm-up: every worker has its connection
            for _round in range(rounds):
                insert.runs.append(run_phase(clients, Client.insert, seconds, meter))
                submit.runs.append(run_phase(clients, Client.submit, seconds, meter))
                submit_only.runs.append(run_bursts(clients, seconds, meter))
                api.runs.append(run_phase(clients, Client.submit_api, seconds, meter))
        except BenchError as exc:
            raise ValueError(f"{exc}\n{server.log_tail()}") from exc
        finally:
            for client in clients:
                client.close()
            server.stop()
            server_log = server.log_tail()
    after = Response.objects.filter(person__in=people, status=ResponseStatus.SUBMITTED).count()
    inserted = BenchRow.objects.count()
    BenchRow.objects.all().delete()

    report(out, insert, submit, submit_only, api)
    out.write(f"machine after: {machine_line()}\n")
    out.write(f"started {began:%Y-%m-%d %H:%M:%S}, ended {timezone.now():%H:%M:%S} UTC\n")
    problems = insert.errors() + submit.errors() + submit_only.errors() + api.errors()
    # Warm-up units are in the database too: only check that none was lost. The API's
    # responses are the same cadres' submitted responses, counted in the same query.
    submitted = submit.units() + submit_only.units() + api.units()
    if after - before < submitted:
        problems.append(f"{submitted} responses submitted, {after - before} stored")
    if inserted < insert.units():
        problems.append(f"{insert.units()} inserts answered, {inserted} rows stored")
    if problems:
        shown = "\n  ".join(problems[:10])
        raise ValueError(
            f"{len(problems)} errors, the first ones:\n  {shown}\nserver log:\n{server_log}"
        )
