"""Time from a launcher step event to the technician's console showing it (budget: 1 s).

Starts the real server on loopback (embedded, a fresh SQLite file), signs a technician in in
Debian's headless Chromium, opens the session page, then 20 times: the launcher's own client
(``ConsentClient.report_step``) posts a step, and a MutationObserver in the page notes when the
new step appears. Prints the median and worst of the 20 against the budget, and against the
report's own round trip (the POST), measured in the same run.

    .venv/bin/python benchmarks/bench_console.py      # or: make bench-console
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.core.consent_client import ConsentClient
from app.core.step_event import new_step_event
from server.domain.console_sessions import NewConsoleSession, open_console_session
from server.domain.technicians import technicians
from server.embedded import EmbeddedServer
from testbed.browser import chromium, wait_for
from testbed.console_accounts import PASSWORD, add_account

RUNS = 20
BUDGET_S = 1.0
STEPS = ("terms_accepted", "ended")

_OBSERVE = """
window.__seen = [];
const live = document.getElementById('live');
new MutationObserver(() => {
  window.__seen.push([Date.now(), document.querySelectorAll('#steps li').length]);
}).observe(live, {childList: true, subtree: true});
"""


def main() -> int:
    with tempfile.TemporaryDirectory() as folder, EmbeddedServer(Path(folder) / "bench.sqlite3", demo=True) as server:
        add_account(server.store, "bench@phonetex.example", "Bench Technician")
        (me,) = technicians(server.store)
        session = open_console_session(
            server.store, me, NewConsoleSession(None, None, None, "zoho-assist", None), server.demo_join_url
        )
        client = ConsentClient(server.base_url)
        # The launcher has looked its session up before it reports a step: its HTTPS client (and
        # the certificate store it loads) is warm by then, so warm it here too.
        client.lookup_session(session.code)
        with chromium() as driver:
            driver.get(f"{server.base_url}/console/sign-in")
            driver.find_element(By.ID, "email").send_keys("bench@phonetex.example")
            driver.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
            wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Sessions")
            driver.get(f"{server.base_url}/console/sessions/{session.code}")
            driver.execute_script(_OBSERVE)
            delays, round_trips = [], []
            for run in range(1, RUNS + 1):
                event = new_step_event(STEPS[run % 2])
                sent = time.time()
                client.report_step(session.code, event)
                round_trips.append(time.time() - sent)

                def shown(d, count=run):
                    return next((at for at, n in d.execute_script("return window.__seen") if n >= count), None)

                shown_at = wait_for(driver, shown, timeout=10, message=f"step {run} never showed")
                delays.append(shown_at / 1000 - sent)
        client.close()
    print("each (ms):", " ".join(f"{d * 1000:.0f}" for d in delays))
    median, worst = statistics.median(delays), max(delays)
    baseline = statistics.median(round_trips)
    print(f"step event -> console, {RUNS} runs: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms")
    print(f"  against the 1 s budget: median {median / BUDGET_S:.2f}x, worst {worst / BUDGET_S:.2f}x")
    print(f"  against the report's own round trip (median {baseline * 1000:.1f} ms): median {median / baseline:.0f}x")
    return 0 if worst <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
