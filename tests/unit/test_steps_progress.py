"""Progress lines of long publishing phases: a heartbeat while a phase is quiet, a count with an
ETA while it counts."""

import time

from scp_metrics.steps.progress import Counter, heartbeat


def test_a_quiet_phase_says_it_is_still_running_and_a_talking_one_does_not():
    lines: list[str] = []
    with heartbeat(lines.append, "report", every=0.3):
        time.sleep(1.6)  # quiet: a line about every 0.3 s (checked once a second)
    quiet = [line for line in lines if "report: still running" in line]
    assert 1 <= len(quiet) <= 2, lines
    lines.clear()
    with heartbeat(lines.append, "charts", every=1.5) as said:
        for _ in range(8):  # talks every 0.2 s: never quiet for 1.5 s
            said("drawing")
            time.sleep(0.2)
    assert lines == ["drawing"] * 8


def test_without_progress_nothing_is_said_and_no_thread_runs():
    with heartbeat(None, "x", every=0.01) as said:
        time.sleep(0.05)
    assert said is None


def test_the_counter_gives_done_of_total_and_an_eta_from_the_rate_so_far(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    lines: list[str] = []
    count = Counter(lines.append, "charts", every=3.0)
    clock[0] = 102.0
    count(10, 40)  # 2 s since the start: under 3 s, nothing
    clock[0] = 104.0
    count(20, 40)  # 20 in 4 s = 5 per s; 20 to go: 4 s
    clock[0] = 105.0
    count(25, 40)  # 1 s since the last line: nothing
    clock[0] = 108.0
    count(40, 40)  # the last: the phase's own end line follows
    assert lines == ["  charts: 20 of 40 (4 s, about 4 s to go)"]
