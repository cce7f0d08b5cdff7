"""A link's relay decides each message's fate with its own seeded generator: the rates
of loss, duplication and reordering over thousands of messages, the delays, and the
same fates again for the same seed."""

from itertools import pairwise

import pytest

from playground.engine.network import LINK_FIELDS, LinkRelay

N = 5000


def fates(settings: dict, seed=7, n: int = N) -> list:
    relay = LinkRelay("a", "b", settings, seed)
    return [relay.fate() for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_loss_duplication_and_reordering_rates_over_five_thousand_messages_are_within_three_points(seed):
    settings = {"loss": 0.3, "duplicate": 0.2, "reorder": 0.25, "latency_ms": 10, "jitter_ms": 4}
    drawn = fates(settings, seed)
    arrived = [f for f in drawn if f is not None]
    copies = [c for f in arrived for c in f]
    assert abs(1 - len(arrived) / N - 0.3) <= 0.03
    assert abs(sum(len(f) == 2 for f in arrived) / len(arrived) - 0.2) <= 0.03
    # held back: at least one more latency on top of latency - jitter, beyond any jitter
    held_back = [delay for delay, _ in copies if delay > 0.014]
    assert abs(len(held_back) / len(copies) - 0.25) <= 0.03


def test_a_copy_is_delayed_by_latency_plus_or_minus_jitter_or_held_back_by_one_to_two_latencies_more():
    drawn = fates({"latency_ms": 10, "jitter_ms": 4, "reorder": 0.5, "duplicate": 0.5})
    for fate in drawn:
        assert [copy for _, copy in fate] in ([0], [0, 1])
        for delay, _ in fate:
            on_time = 0.006 <= delay <= 0.014
            held_back = 0.016 <= delay <= 0.034
            assert on_time or held_back, delay


def test_reordering_lets_a_later_message_arrive_first():
    drawn = fates({"latency_ms": 10, "reorder": 0.3}, n=200)
    arrivals = [i * 0.001 + fate[0][0] for i, fate in enumerate(drawn)]  # sent 1 ms apart
    assert any(later < earlier for earlier, later in pairwise(arrivals))
    in_order = fates({"latency_ms": 10, "jitter_ms": 0.4}, n=200)
    arrivals = [i * 0.001 + fate[0][0] for i, fate in enumerate(in_order)]
    assert arrivals == sorted(arrivals)


def test_a_link_without_settings_delivers_every_message_once_at_once():
    assert fates({}, n=1000) == [[(0.0, 0)]] * 1000


def test_jitter_larger_than_the_latency_never_makes_a_negative_delay():
    delays = [d for fate in fates({"latency_ms": 1, "jitter_ms": 10}) for d, _ in fate]
    assert min(delays) == 0.0 and max(delays) <= 0.011


def test_the_same_seed_draws_the_same_fates_and_another_seed_other_ones():
    settings = {"loss": 0.2, "duplicate": 0.1, "reorder": 0.2, "latency_ms": 5, "jitter_ms": 2}
    assert fates(settings, seed=42) == fates(settings, seed=42)
    assert fates(settings, seed=42) != fates(settings, seed=43)
    # each direction of a link has its own generator
    assert [LinkRelay("b", "a", settings, 42).fate() for _ in range(N)] != fates(settings, seed=42)


def test_changing_a_link_changes_only_the_settings_given():
    relay = LinkRelay("a", "b", {"latency_ms": 5, "loss": "0.1"}, 0)
    assert relay.settings == {"latency_ms": 5.0, "jitter_ms": 0.0, "loss": 0.1, "duplicate": 0.0, "reorder": 0.0,
                              "bandwidth": None}
    relay.change({"loss": 1, "bandwidth": 3})
    assert set(relay.settings) == set(LINK_FIELDS) and relay.settings["loss"] == 1.0
    assert all(relay.fate() is None for _ in range(100))
