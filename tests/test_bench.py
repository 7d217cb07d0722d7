"""The benchmark's own logic: reading wrk's output, and the hello view staying out of production."""

import sys
from pathlib import Path

import pytest

# The bench scripts import each other from their own directory; so do these tests, so that
# `common.BenchError` is one class whichever script raises it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import common  # noqa: E402
import readers  # noqa: E402
import uncached  # noqa: E402
from common import BenchError, parse_wrk  # noqa: E402

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8150/bench/hello/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20ms  310.00us   9.10ms   90.00%
    Req/Sec     1.66k   100.00     1.80k    70.00%
  Latency Distribution
     50%  850.00us
     75%    1.10ms
     90%    1.50ms
     99%    2.31s
  8300 requests in 5.00s, 1.90MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1659.87
Transfer/sec:    389.00KB
"""


def test_wrk_output_gives_rate_percentiles_in_milliseconds_and_failures():
    load = parse_wrk(WRK_OUTPUT)
    assert load.requests_per_second == 1659.87
    assert load.p50_ms == pytest.approx(0.85)
    assert load.p99_ms == pytest.approx(2310.0)
    assert load.errors == 3


def test_wrk_output_without_a_latency_distribution_is_refused():
    with pytest.raises(BenchError, match="latency distribution"):
        parse_wrk("Running 5s test\nRequests/sec: 10.0\n")


def test_the_hello_view_exists_only_when_the_benchmark_asks(client, db):
    """REDSHOES_BENCH is off by default, so production has no /bench/hello/."""
    assert client.get("/bench/hello/").status_code == 404


# --- Issue 16: readers, first visits, measured children, the report ----------------------------


def test_readers_counts_come_from_the_lua_scripts_last_line():
    assert readers.parse_counts(WRK_OUTPUT + "readers: hits=12 misses=30 other=1\n") == {
        "hits": 12,
        "misses": 30,
        "other": 1,
    }
    with pytest.raises(BenchError, match="X-Cache"):
        readers.parse_counts(WRK_OUTPUT)


def test_readers_ask_for_a_few_pages_often_and_most_rarely_the_same_way_each_run():
    pages = ["/"] + [f"/facts/{n}/" for n in range(10_000)]
    sequence = readers.zipf_sequence(pages, 20_000, 1.0)
    assert sequence == readers.zipf_sequence(pages, 20_000, 1.0)
    counts = sorted((sequence.count(page) for page in set(sequence)), reverse=True)
    assert sequence.count("/") == counts[0]  # home is the most popular page
    assert sum(counts[:100]) > len(sequence) / 2  # 1 % of the pages get most requests
    assert len(counts) > 2_000  # and thousands are asked for at all


def test_a_measured_child_reports_its_own_peak_memory_not_the_benchmarks():
    big = common.run_child([sys.executable, "-c", "b = bytearray(150 * 2**20); print('ok')"], {})
    small = common.run_child([sys.executable, "-c", "print('ok')"], {})
    assert big.stdout.strip() == "ok"
    assert big.peak_rss_mb >= 150 > small.peak_rss_mb
    with pytest.raises(BenchError, match="failed"):
        common.run_child([sys.executable, "-c", "raise SystemExit(3)"], {})


def test_a_report_block_replaces_what_is_between_its_markers_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "REPORT", tmp_path / "performance.md")
    common.REPORT.write_text("# Performance\n\nBy hand.\n")
    common.replace_block("<!-- a -->", "<!-- /a -->", "first", "## Section")
    common.replace_block("<!-- a -->", "<!-- /a -->", "second", "## Section")
    assert (
        common.REPORT.read_text() == "# Performance\n\nBy hand.\n\n## Section\n\n<!-- a -->\n\nsecond\n\n<!-- /a -->\n"
    )


def test_first_visits_are_judged_against_the_floor_measured_in_the_same_run():
    measured = {
        "floor_ms": {"healthz": 0.4, "hello": 0.15},
        "pages": [
            {"name": "fact permalink", "urls": ["/facts/x/"], "cold_ms": [3.0, 5.0, 4.0], "warm_ms": [0.5] * 3,
             "queries": 4, "bytes": 3000},
            {"name": "topic page", "urls": ["/topics/t/"], "cold_ms": [11.0] * 3, "warm_ms": [0.6] * 3,
             "queries": 6, "bytes": 90000},
            {"name": "person page", "urls": ["/people/p/"], "cold_ms": [50.0] * 3, "warm_ms": [0.6] * 3,
             "queries": 7, "bytes": 50000},
        ],
    }  # fmt: skip
    rows = {row["name"]: row for row in uncached.summary(measured)}
    assert rows["fact permalink"]["cold_ratio"] == pytest.approx(10.0)
    assert rows["fact permalink"]["met"] is True  # ≤ 10×
    assert rows["topic page"]["cold_ratio"] == pytest.approx(27.5) and rows["topic page"]["met"] is False
    assert rows["person page"]["target"] is None and rows["person page"]["met"] is None


def test_the_first_visit_table_shows_an_edit_of_the_page_itself_beside_an_edit_elsewhere():
    """A page's render is reused after an edit elsewhere (trivia/page_renders.py); the table must also say what
    the page costs when the edit is on it, and how many queries each path takes."""
    measured = {
        "floor_ms": {"healthz": 0.4, "hello": 0.15},
        "pages": [
            {"name": "film page 1", "urls": ["/films/f/"], "cold_ms": [2.0] * 3, "edited_ms": [20.0] * 3,
             "warm_ms": [0.5] * 3, "queries": 5, "rendered_queries": 8, "bytes": 90000},
        ],
        "rounds": 3, "facts": 10, "backend": "SQLite",
    }  # fmt: skip
    table = uncached.first_visit_table(measured)
    row = next(line for line in table.splitlines() if line.startswith("| film page 1"))
    assert "| 2.0 | 5× | ≤ 25× | yes |" in row and "| 20.0 | 50× |" in row and "| 5 / 8 |" in row
