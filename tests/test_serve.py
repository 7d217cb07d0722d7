"""`make release` then `make serve` run the site under gunicorn with every production header.

The test runs the real commands on a free port with a production environment (debug
off, HTTPS redirect on, behind a TLS proxy): `make release` once (migrations,
collectstatic), then `make serve`, which only starts gunicorn. It fetches pages and a
static file the way a proxy would pass them on, then stops it. It is the one test that
sees exactly what a deployment serves: collectstatic's hashed, compressed files,
gunicorn's workers, compressed pages, the logs on stdout.
"""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import brotli
import pytest

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(server, process, seconds: float = 120) -> None:
    """Until `server` (anything with `get` and `log`) answers /healthz with 200; fails if `process` exits first."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(f"make serve exited with {process.returncode}:\n{server.log()}")
        try:
            if server.get("/healthz").status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"make serve did not answer within {seconds} seconds:\n{server.log()}")
        time.sleep(0.3)


def stop_session(process) -> None:
    """Stop a process started in a session of its own (make, gunicorn and its workers together)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Served:
    def __init__(self, port, static_root, log_path):
        self.port = port
        self.static_root = static_root
        self.log_path = log_path

    def get(self, path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.body = response.read()
            return response
        finally:
            connection.close()

    def get_over_https_proxy(self, path, headers=None):
        """What the app sees when a TLS-terminating proxy forwards a reader's HTTPS request."""
        return self.get(path, {"X-Forwarded-Proto": "https", **(headers or {})})

    def log(self) -> str:
        return self.log_path.read_text()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDSHOES_"))}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BEHIND_PROXY="1",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        REDSHOES_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("REDIS_URL", None)
    log_path = workdir / "serve.log"
    release = subprocess.run(
        ["make", "--no-print-directory", "release"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert release.returncode == 0, release.stdout + release.stderr
    with open(log_path, "w") as log:
        # A session of its own, so stopping it stops make, gunicorn and its workers together.
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Served(port, workdir / "static", log_path)
    try:
        wait_until_healthy(server, process)
        yield server
    finally:
        stop_session(process)


def test_served_pages_carry_every_security_header(served):
    response = served.get_over_https_proxy("/")

    assert response.status == 200
    assert response.getheader("Server") == "gunicorn"
    policy = response.getheader("Content-Security-Policy")
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("Cross-Origin-Opener-Policy") == "same-origin"


def test_served_cookies_are_secure_and_httponly(served):
    response = served.get_over_https_proxy("/admin/login/")

    assert response.status == 200
    cookie = response.getheader("Set-Cookie")
    assert cookie.startswith("csrftoken=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_plain_http_is_redirected_to_https_but_the_health_check_is_not(served):
    page = served.get("/facts/")
    health = served.get("/healthz")

    assert page.status == 301
    assert page.getheader("Location") == f"https://127.0.0.1:{served.port}/facts/"
    assert health.status == 200
    assert json.loads(health.body) == {"status": "ok", "database": "ok", "cache": "local"}


def test_static_files_are_hashed_compressed_and_cached_for_a_year(served):
    manifest = json.loads((served.static_root / "staticfiles.json").read_text())
    hashed_name = manifest["paths"]["admin/css/base.css"]
    assert hashed_name != "admin/css/base.css"

    response = served.get_over_https_proxy(f"/static/{hashed_name}", {"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    cache_control = response.getheader("Cache-Control")
    assert "max-age=315360000" in cache_control
    assert "immutable" in cache_control


def test_serve_only_starts_gunicorn_it_neither_migrates_nor_collects(served):
    log = served.log()

    assert "Applying " not in log and "Operations to perform" not in log
    assert "static files copied" not in log


def test_public_pages_are_served_compressed_with_their_own_etag(served):
    plain = served.get_over_https_proxy("/")
    packed = served.get_over_https_proxy("/", {"Accept-Encoding": "gzip, deflate, br"})

    assert plain.getheader("Content-Encoding") is None
    assert packed.getheader("Content-Encoding") == "br"
    assert brotli.decompress(packed.body) == plain.body
    assert packed.getheader("ETag") == plain.getheader("ETag")[:-1] + '-br"'
    assert "Accept-Encoding" in packed.getheader("Vary")
    again = served.get_over_https_proxy("/", {"Accept-Encoding": "br", "If-None-Match": packed.getheader("ETag")})
    assert again.status == 304


def test_access_log_lines_go_to_stdout_in_the_line_format(served):
    served.get_over_https_proxy("/healthz?probe=log")
    time.sleep(0.5)

    lines = [line for line in served.log().splitlines() if "logger=gunicorn.access" in line and "probe=log" in line]
    assert lines, served.log()
    assert lines[0].startswith("ts=")
    assert "level=INFO" in lines[0]
    assert "method=GET path=/healthz status=200" in lines[0]


def test_an_unknown_host_gets_the_site_400_page_and_a_log_line(served):
    response = served.get_over_https_proxy("/", {"Host": "evil.example"})
    time.sleep(0.5)

    assert response.status == 400
    assert b"Bad request" in response.body
    assert b"evil.example" not in response.body
    assert "logger=django.security.DisallowedHost" in served.log()
