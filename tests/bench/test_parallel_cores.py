"""How busy the cores were during a run: what bounds the speed-up of more workers."""

from __future__ import annotations

import os
import time

from dl4text.bench.parallel import busy_share, cpu_times


def test_a_spinning_process_shows_as_busy_cores() -> None:
    before = cpu_times()
    end = time.process_time() + 0.5
    while time.process_time() < end:  # one core busy for half a second
        pass
    after = cpu_times()
    share = busy_share(before, after)
    assert share is not None and 1 / (os.cpu_count() or 1) * 0.5 < share <= 1.0
    assert busy_share(after, after) is None  # no time passed: no figure
