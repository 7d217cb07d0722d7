"""The multi-host rehearsal: two app servers ("hosts" A and B) sharing one PostgreSQL database and one Redis.

Each host is the real `make serve` (gunicorn, two workers, production settings) on a free
port, after one `make release`; a third server, B′, runs another `REDSHOES_RELEASE` as a
host of the next release would during a rolling deploy. What a deployment of several
hosts must get right: a page rendered on A is a HIT on B; an edit saved through A's
admin shows at once on B; B′ never serves A's HTML; tracking parameters make no new
entry; with Redis stopped both hosts still answer 200 and say "degraded".

Needs PostgreSQL (several processes writing one SQLite file is not the deployment being
rehearsed): it runs in the suite's PostgreSQL pass (`make test-postgres`, CI's second
pass), in a database of its own next to the suite's, dropped afterwards, and skips on
SQLite saying so. It starts a Redis of its own on a free port (so stopping it disturbs
nothing else) and needs `redis-server` (skipped loudly without it, or failed under
REDSHOES_REQUIRE_REDIS=1).
"""

import http.client
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.html_forms import form_fields
from tests.redis_support import REQUIRE_REDIS
from tests.test_serve import free_port, stop_session, wait_until_healthy

PROJECT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
FILM = "/films/the-red-shoes-1948/"
PASSWORD = "a-long-enough-rehearsal-passphrase"

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="multi-host rehearsal: needs PostgreSQL; it runs in the PostgreSQL pass (`make test-postgres`, CI)",
)


class Host:
    """One app server: `make serve` on its own port, with a cookie jar for the admin."""

    def __init__(self, name, port, process, log_path):
        self.name, self.port, self.process, self.log_path = name, port, process, log_path
        self.cookies = SimpleCookie()

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={morsel.value}" for key, morsel in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.body = response.read()
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post_form(self, path, fields):
        return self.request("POST", path, body=urlencode(fields, doseq=True))

    def log(self) -> str:
        return self.log_path.read_text()


def server_database(name: str):
    """The URL of a database `name` on DATABASE_URL's server, and a function running SQL on that server."""
    import psycopg

    parts = urlsplit(DATABASE_URL)
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def execute(sql):
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql)

    return urlunsplit(parts._replace(path=f"/{name}")), execute


def start_redis(workdir: Path) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "multi-host rehearsal: `redis-server` is not installed (apt-get install redis-server)"
        pytest.fail(message) if REQUIRE_REDIS else pytest.skip(message)
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port


def run_make(env, *targets):
    result = subprocess.run(
        ["make", "--no-print-directory", *targets], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def manage(env, *args):
    result = subprocess.run(
        [str(PROJECT / ".venv" / "bin" / "python"), "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("multihost")
    redis, redis_port = start_redis(workdir)
    database_url, execute = server_database(f"redshoes_multihost_{uuid.uuid4().hex[:8]}")
    name = urlsplit(database_url).path.lstrip("/")
    execute(f'CREATE DATABASE "{name}"')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDSHOES_", "REDIS"))}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        REDSHOES_RELEASE="rehearsal-1",
        WEB_CONCURRENCY="2",
        DJANGO_SUPERUSER_USERNAME="rehearsal",
        DJANGO_SUPERUSER_EMAIL="rehearsal@example.org",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    hosts = {}
    try:
        run_make(env, "release")
        manage(env, "seed_trivia")
        manage(env, "createsuperuser", "--noinput")
        for host_name, release in (("A", "rehearsal-1"), ("B", "rehearsal-1"), ("B2", "rehearsal-2")):
            port = free_port()
            log_path = workdir / f"{host_name}.log"
            with open(log_path, "w") as log:
                process = subprocess.Popen(
                    ["make", "--no-print-directory", "serve"],
                    cwd=PROJECT,
                    env={**env, "REDSHOES_BIND": f"127.0.0.1:{port}", "REDSHOES_RELEASE": release},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            hosts[host_name] = Host(host_name, port, process, log_path)
        for host in hosts.values():
            wait_until_healthy(host, host.process, 90)
        yield hosts, redis
    finally:
        for host in hosts.values():
            stop_session(host.process)
        redis.kill()
        redis.wait()
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_page_rendered_on_a_is_a_hit_on_b(deployment):
    hosts, _ = deployment

    on_a = hosts["A"].get(FILM)
    on_b = hosts["B"].get(FILM)

    assert on_a.status == on_b.status == 200
    assert on_a.getheader("X-Cache") == "MISS"
    assert on_b.getheader("X-Cache") == "HIT"
    assert on_b.body == on_a.body
    # And every worker of A too (two workers, several requests: never a second render).
    assert {hosts["A"].get(FILM).getheader("X-Cache") for _ in range(6)} == {"HIT"}


def test_a_tracking_parameter_is_a_hit(deployment):
    hosts, _ = deployment
    hosts["A"].get(FILM)

    assert hosts["B"].get(FILM + "?utm_source=x").getheader("X-Cache") == "HIT"


def test_a_host_on_another_release_never_serves_the_other_releases_html(deployment):
    hosts, _ = deployment
    hosts["A"].get(FILM)

    first = hosts["B2"].get(FILM)

    assert first.getheader("X-Cache") == "MISS"
    assert first.getheader("ETag") != hosts["A"].get(FILM).getheader("ETag")
    assert hosts["B2"].get(FILM).getheader("X-Cache") == "HIT"


def test_an_edit_saved_through_a_shows_at_once_on_b(deployment):
    hosts, _ = deployment
    a, b = hosts["A"], hosts["B"]
    a.get(FILM)
    assert b.get(FILM).getheader("X-Cache") == "HIT"

    login_page = a.get("/admin/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.body).group(1).decode()
    logged_in = a.post_form(
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": "rehearsal", "password": PASSWORD, "next": "/admin/"},
    )
    assert logged_in.status == 302, logged_in.body.decode()[:2000]
    topics = a.get("/admin/trivia/topic/?q=production")
    change_url = re.search(rb'href="(/admin/trivia/topic/\d+/change/)[^"]*"', topics.body).group(1).decode()
    fields = form_fields(a.get(change_url).body.decode(), "topic_form")
    fields["name"] = ["Production, rehearsed"]
    saved = a.post_form(change_url, {**fields, "_save": "Save"})
    assert saved.status == 302, saved.body.decode()[:2000]

    on_b = b.get(FILM)

    assert on_b.getheader("X-Cache") == "MISS"
    assert "Production, rehearsed" in on_b.body.decode()


def test_with_redis_stopped_both_hosts_still_answer(deployment):
    hosts, redis = deployment
    redis.kill()
    redis.wait()

    for host in (hosts["A"], hosts["B"]):
        responses = [host.get(FILM) for _ in range(6)]
        assert [response.status for response in responses] == [200] * 6
        assert all(b"The Red Shoes" in response.body for response in responses)
        health = host.get("/healthz")
        assert health.status == 200
        assert b'"cache": "degraded"' in health.body
    time.sleep(0.5)
    # Logged once a minute per process, not per request: at most one line per worker (two each).
    for host in (hosts["A"], hosts["B"]):
        outage_lines = [line for line in host.log().splitlines() if "logger=redshoes.cache" in line]
        assert 1 <= len(outage_lines) <= 2, host.log()[-3000:]
