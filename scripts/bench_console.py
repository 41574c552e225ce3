#!/usr/bin/env python3
"""The web console's run page in headless Chromium (Debian's; scripts/browser installs it), over
a real master, slave and gateway on loopback:

  (a) output latency: a command prints its own clock (`date +%s.%N`) every 0.2 s; the page
      records, with a MutationObserver on the output, when each line's text node arrived
      (performance.timeOrigin + now); latency = arrival - printed time, over every line (same
      machine, same clock). Lines printed before the observer was in place are left out.
  (b) grid render: a finished run of `true` on N nodes (a fleet of N slave identities in two
      processes, `--fleet`, as bench_fanout.py), opened again and again: navigation start
      until run.js has set up the grid of N cells (its `performance.now()` once the cells are
      indexed and the click handler is in place), and until the stream's replay of the N
      executions' statuses has been applied (`end`).

Usage: .venv/bin/python scripts/bench_console.py [--lines 20] [--sizes 100,1000,2000]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import benchlib
from bench_fanout import fleet_names, wait_attached
from benchfleet import Fleet
from selenium import webdriver
from selenium.webdriver.common.by import By

from jobfleet.cli.auth import local_admin_token, token_channel
from jobfleet.cli.processes import spawn
from jobfleet.v1 import common_pb2, task_pb2, task_pb2_grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.driver import start_chromium  # noqa: E402  (the tests' own browser start)

OBSERVE = """
window.arrived = [];
const pre = document.getElementById("output");
new MutationObserver((changes) => {
  const now = (performance.timeOrigin + performance.now()) / 1000;
  for (const change of changes) {
    for (const node of change.addedNodes) { window.arrived.push([now, node.textContent]); }
  }
}).observe(pre, {childList: true, subtree: true});
return (performance.timeOrigin + performance.now()) / 1000;
"""


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise SystemExit(f"{what}: not within {timeout:g} s")


def submit(tasks: task_pb2_grpc.TaskServiceStub, nodes: list[str], script: str) -> str:
    ask = task_pb2.SubmitCommandRequest(
        project_id=1,
        name=f"console bench on {len(nodes)}",
        nodes=nodes,
        script_type=common_pb2.SCRIPT_TYPE_SHELL,
        script=script,
        timeout_seconds=120,
    )
    return str(tasks.SubmitCommand(ask, timeout=60).task.uuid)


def latency(
    driver: webdriver.Chrome, gateway: str, tasks: task_pb2_grpc.TaskServiceStub, lines: int
) -> list[float]:
    """Milliseconds from each printed line to its text node in the page."""
    script = f"sleep 1.5; for i in $(seq {lines}); do date +%s.%N; sleep 0.2; done"
    uuid = submit(tasks, ["console-bench"], script)
    driver.get(f"http://{gateway}/ui/runs/{uuid}")
    watching = driver.execute_script(OBSERVE)
    wait_for(
        lambda: driver.execute_script("return window.jobfleet.streamEnded") is not None,
        60,
        "the run's end",
    )
    arrived = driver.execute_script("return window.arrived")
    samples = []
    for at, text in arrived:
        for line in text.splitlines():
            printed = float(line)
            if printed > watching:
                samples.append((at - printed) * 1000)
    return samples


def render(
    driver: webdriver.Chrome,
    gateway: str,
    tasks: task_pb2_grpc.TaskServiceStub,
    size: int,
    runs: int,
    names: int,
) -> tuple[list[float], list[float]]:
    """Milliseconds from navigation start until the grid is set up, and until the replay ends."""
    uuid = submit(tasks, fleet_names("f", names)[:size], "true")
    done = {common_pb2.TASK_STATUS_FAIL, common_pb2.TASK_STATUS_SUCCESS}
    wait_for(
        lambda: tasks.GetTask(task_pb2.GetTaskRequest(uuid=uuid), timeout=60).task.status in done,
        120,
        f"the run on {size} nodes",
    )
    grid, replayed = [], []
    for _ in range(runs):
        driver.get(f"http://{gateway}/ui/runs/{uuid}")
        wait_for(
            lambda: driver.execute_script("return window.jobfleet.streamEnded") is not None,
            120,
            "the replay's end",
        )
        cells = driver.execute_script("return document.querySelectorAll('.cell').length")
        if cells != size:
            raise SystemExit(f"{cells} cells on the page, not {size}")
        grid.append(driver.execute_script("return window.jobfleet.gridReady"))
        replayed.append(driver.execute_script("return window.jobfleet.streamEnded"))
    return grid, replayed


def sign_in(driver: webdriver.Chrome, gateway: str, token: str) -> None:
    driver.get(f"http://{gateway}/ui/signin")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "signin").click()
    wait_for(lambda: "/ui/runs" in driver.current_url, 30, "signed in")


def main() -> None:
    p = benchlib.parser(__doc__)
    p.add_argument("--lines", type=int, default=20, help="lines printed for (a) (default 20)")
    p.add_argument("--sizes", default="100,1000,2000", help="grid sizes for (b)")
    args = benchlib.parse(p, {"lines": 10, "sizes": "20"})
    out = benchlib.Figures("console")
    token = local_admin_token()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory() as tmp, Fleet(Path(tmp)) as fleet:
        fleet.start_master()
        fleet.start_slave("console-bench", "--cgroups", "off")
        gateway = fleet.start_gateway()
        driver = start_chromium(str(Path(tmp) / "chromium"))
        try:
            driver.set_page_load_timeout(60)
            sign_in(driver, gateway, token)
            with token_channel(fleet.master) as channel:
                tasks = task_pb2_grpc.TaskServiceStub(channel)
                samples = []
                for _ in range(benchlib.repeat(args, 2, 1)):
                    samples += latency(driver, gateway, tasks, args.lines)
                note = f"{len(samples)} lines, 0.2 s apart; MutationObserver"
                out.add("output line printed -> shown in the run page", "ms", samples, note)
                # The fleet attaches after (a): its attaching would load the machine.
                fleet_args = ["--master", fleet.master, "--name", "f", "--fleet", str(sizes[-1])]
                fleet_args += ["--cgroups", "off", "--state-dir", str(Path(tmp) / "state")]
                fleet_args += ["--fleet-procs", "2"]
                fleet.daemons.append(spawn("fleet", "slave", fleet_args, Path(tmp)))
                wait_attached(channel, sizes[-1] + 1, fleet.daemons[-1])
                under = 0
                for size in sizes:
                    runs = benchlib.repeat(args, 5, 1)
                    grid, replayed = render(driver, gateway, tasks, size, runs, sizes[-1])
                    out.add(f"run page, {size} nodes: navigation -> grid set up", "ms", grid)
                    what = f"run page, {size} nodes: navigation -> statuses replayed"
                    out.add(what, "ms", replayed)
                    if statistics.median(grid) < 1000:
                        under = size
                benchlib.progress(f"console: largest grid set up under 1 s: {under} nodes")
        finally:
            driver.quit()
    out.emit(args.json)


if __name__ == "__main__":
    main()
