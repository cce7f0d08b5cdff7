"""Each built-in lesson makes its point, read off its events."""


from tests.unit.helpers import builtin, finished, kinds, run


def test_bank_withdraw_lock_always_ends_with_one_success_and_one_refusal():
    for seed in range(20):
        end = finished(run(builtin("bank-withdraw-lock", seed=seed)))
        outputs = sorted(line for lines in end["outputs"].values() for line in lines)
        assert end["status"] == "completed"
        assert end["shared"]["bank"]["balance"] in (2, 3)
        assert outputs in (["2", "Insufficient funds"], ["3", "Insufficient funds"])


def test_bank_withdraw_race_shows_the_lost_update_and_nothing_impossible():
    balances = set()
    for seed in range(40):
        end = finished(run(builtin("bank-withdraw-race", seed=seed)))
        assert end["status"] == "completed"
        balances.add(end["shared"]["bank"]["balance"])
        successes = [line for lines in end["outputs"].values() for line in lines if line != "Insufficient funds"]
        if len(successes) == 2:  # both withdrawals went through: 15 paid from 10
            assert end["shared"]["bank"]["balance"] in (2, 3, -5)
    assert balances <= {2, 3, -5}
    assert balances & {-5} or len(balances) > 1, "preemption should expose the race in 40 runs"


def test_shared_x_race_only_ends_in_the_four_textbook_values():
    seen = set()
    for seed in range(30):
        end = finished(run(builtin("shared-x-race", seed=seed)))
        seen.add(end["shared"]["memory"]["x"])
    assert seen <= {6, 25, 26, 36}
    assert len(seen) >= 2


def test_semaphore_db_never_lets_more_than_two_threads_in():
    for seed in range(5):
        events = run(builtin("semaphore-db", seed=seed))
        for e in kinds(events, "sync.acquire") + kinds(events, "sync.release"):
            assert len(e["state"]["owners"]) <= 2
            assert e["state"]["value"] + len(e["state"]["owners"]) == 2
        end = finished(events)
        assert sorted(end["shared"]["server"]["database"]) == [7, 8, 9]
        assert end["status"] == "completed"


def test_condition_steps_no_thread_starts_step_two_before_all_finished_step_one():
    for seed in range(10):
        events = run(builtin("condition-steps", seed=seed))
        texts = [e["text"] for e in kinds(events, "output")]
        first_step2 = min(i for i, t in enumerate(texts) if "step 2" in t)
        assert sum("step 1" in t for t in texts[:first_step2]) == 3
        assert finished(events)["status"] == "completed"
        assert kinds(events, "sync.wait") and kinds(events, "sync.notify")


def test_forgotten_release_ends_in_deadlock_naming_the_lock_and_the_waiting_thread():
    for seed in range(10):
        events = run(builtin("forgotten-release", seed=seed))
        (deadlock,) = kinds(events, "deadlock")
        assert finished(events)["status"] == "deadlock"
        (edge,) = deadlock["cycle"]
        assert edge["waits_for"] == "counter/counter_lock"
        assert edge["thread"] in ("counter/P1", "counter/P2")
        assert edge["held_by"] in ("counter/P1", "counter/P2") and edge["held_by"] != edge["thread"]
        assert "counter_lock" in deadlock["message"]


