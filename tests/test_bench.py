"""The benchmark's own logic: reading wrk's output, and the hello view staying out of production."""

import pytest

from bench.common import BenchError, parse_wrk

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
