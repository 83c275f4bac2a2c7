"""The soak's verdict on figures, without a server: what counts as drift and what is a pause."""

from __future__ import annotations

from tests.soak.soak import Window, _verdict

# Requests per stream in one 30 s window of the suite's soak.
COUNTS = {
    "assess-1": 60,
    "assess-2": 60,
    "assess-3": 60,
    "assess-4": 60,
    "store": 60,
    "batch": 30,
    "read": 60,
    "summary": 30,
    "export": 12,
}
# The p99 per stream of the first window of a clean-clone run (ms).
FIRST = {
    "assess-1": 9.6,
    "assess-2": 9.0,
    "assess-3": 7.7,
    "assess-4": 9.8,
    "store": 28.9,
    "batch": 48.0,
    "read": 27.6,
    "summary": 28.7,
    "export": 14.8,
}


def window(
    p99_ms: dict[str, float], p50_ms: dict[str, float] | None = None, rss_mib: float = 176.0
) -> Window:
    """A window whose streams have the given p99s and medians.

    All but the two slowest requests of a stream take its median: by default a third of its p99
    in the first window of that run (a pause lifts the slowest requests, not the median).
    """
    medians = p50_ms or {name: p99 / 3 for name, p99 in FIRST.items()}
    w = Window(start=0, rss_mib=rss_mib)
    for name, count in COUNTS.items():
        slow = p99_ms[name] / 1000
        latencies = [medians[name] / 1000] * (count - 2) + [slow, slow]
        w.by_stream[name] = latencies
        w.latencies.extend(latencies)
        w.requests += count
    return w


def test_the_same_figures_twice_pass() -> None:
    assert _verdict([window(FIRST), window(FIRST)]) == []


def test_a_pause_that_lifts_three_streams_is_not_drift() -> None:
    # The last window of that run: a pause lifted assess-3, store and read; the p99 over all
    # streams went from 32.8 to 58.5 ms.
    last = {
        "assess-1": 11.3,
        "assess-2": 12.2,
        "assess-3": 30.5,
        "assess-4": 12.5,
        "store": 42.0,
        "batch": 58.5,
        "read": 80.8,
        "summary": 37.4,
        "export": 22.2,
    }
    assert _verdict([window(FIRST), window(last)]) == []


def test_every_stream_half_as_fast_again_is_drift() -> None:
    last = {name: 1.5 * p99 + 5.5 for name, p99 in FIRST.items()}
    failures = _verdict([window(FIRST), window(last)])
    assert len(failures) == 1
    assert failures[0].startswith("p99 drifted in 9 of 9 streams: assess-1 9.6 to 19.9 ms")


def test_one_stream_slower_in_its_median_is_drift() -> None:
    # Exports three times as slow, every request of them: the other streams are as before.
    last = dict(FIRST, export=3 * FIRST["export"])
    medians = {name: p99 / 3 for name, p99 in FIRST.items()}
    slower = dict(medians, export=3 * medians["export"])
    assert _verdict([window(FIRST), window(last, slower)]) == [
        "export's median drifted: 4.9 ms first, 14.8 ms last"
    ]
    # A median up by half plus 5 ms is within bounds.
    within = dict(medians, export=1.5 * medians["export"] + 4.9)
    assert _verdict([window(FIRST), window(FIRST, within)]) == []


def test_five_of_nine_streams_drifting_is_drift_and_four_is_not() -> None:
    names = list(FIRST)
    five = {name: (3 * p99 + 10 if name in names[:5] else p99) for name, p99 in FIRST.items()}
    four = {name: (3 * p99 + 10 if name in names[:4] else p99) for name, p99 in FIRST.items()}
    assert _verdict([window(FIRST), window(five)])[0].startswith("p99 drifted in 5 of 9 streams")
    assert _verdict([window(FIRST), window(four)]) == []


def test_a_faster_last_window_is_no_drift() -> None:
    last = {name: p99 / 2 for name, p99 in FIRST.items()}
    assert _verdict([window(FIRST), window(last)]) == []


def test_errors_and_memory_growth_fail_whatever_the_latency() -> None:
    last = window(FIRST, rss_mib=200.0)
    last.server_errors = 1
    assert _verdict([window(FIRST), last]) == [
        "1 responses with 5xx",
        "RSS grew: 176.0 MiB to 200.0 MiB",
    ]
