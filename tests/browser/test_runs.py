"""The runs list and the run page, as a person uses them in Chromium: live status and output
(seen before the run ends), killing a run, deciding a failed step, hostile names and output
shown as text, and a project token kept to its project's runs. One master, three slaves and one
gateway for the module."""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    common_pb2,
    task_pb2,
    task_pb2_grpc,
)
from tests.browser.conftest import SCREENSHOTS, csp_violations, sign_in, steady, text_of, wait
from tests.integration.conftest import Gateway, Master, Services
from tests.waiting import wait_until

SLAVES = ["s1", "s2", "s3"]
HOSTILE = "<img src=x onerror=alert(1)>"
DOCS_SCREENSHOT = Path(__file__).parents[2] / "docs" / "img" / "console-run.png"


@dataclass
class Fleet:
    master: Master
    gateway: Gateway
    channel: grpc.Channel

    def run(self, name: str, *steps: common_pb2.Step, project: int = 1) -> str:
        """A new job of these steps, submitted; the task's uuid."""
        catalog = catalog_pb2_grpc.CatalogServiceStub(self.channel)
        ask = catalog_pb2.CreateJobRequest(project_id=project, name=name, steps=steps, actor="t")
        job = catalog.CreateJob(ask, timeout=10).job
        submit = task_pb2.SubmitJobRequest(project_id=project, job_uuid=job.uuid, submitter="ann")
        return str(self.tasks.SubmitJob(submit, timeout=10).task.uuid)

    @property
    def tasks(self) -> task_pb2_grpc.TaskServiceStub:
        return task_pb2_grpc.TaskServiceStub(self.channel)

    def task(self, uuid: str) -> common_pb2.Task:
        task: common_pb2.Task = self.tasks.GetTask(
            task_pb2.GetTaskRequest(uuid=uuid), timeout=10
        ).task
        return task


def step(name: str, script: str, nodes: str = ",".join(SLAVES)) -> common_pb2.Step:
    return common_pb2.Step(
        name=name,
        cmd=common_pb2.CmdStep(
            nodes=common_pb2.NodeSelector(
                type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content=nodes
            ),
            script_type=common_pb2.SCRIPT_TYPE_SHELL,
            script=script,
        ),
    )


@pytest.fixture(scope="module")
def fleet(module_services: Services, browser: webdriver.Chrome) -> Iterator[Fleet]:
    master = module_services.start_master()
    for name in SLAVES:
        module_services.start_slave(master, name)
    gateway = module_services.start_gateway(master)
    sign_in(browser, gateway, master.token)
    with master.channel() as channel:
        yield Fleet(master, gateway, channel)


def open_run(browser: webdriver.Chrome, fleet: Fleet, uuid: str) -> None:
    browser.get(f"{fleet.gateway.url}/ui/runs/{uuid}")
    wait(browser).until(lambda d: text_of(d, "live-state") != "")
    browser.execute_script("window.notReloaded = true")


def status(browser: webdriver.Chrome) -> str:
    return text_of(browser, "run-status")


def cell_classes(browser: webdriver.Chrome) -> list[str]:
    return [c.get_attribute("class") or "" for c in browser.find_elements(By.CSS_SELECTOR, ".cell")]


def test_output_shows_live_before_the_run_ends_and_the_grid_turns_green(
    browser: webdriver.Chrome, fleet: Fleet
) -> None:
    uuid = fleet.run("deploy web", step("greet", "echo first; echo warn >&2; sleep 4; echo second"))
    open_run(browser, fleet, uuid)
    assert csp_violations(browser) == []

    wait(browser).until(lambda d: "first" in text_of(d, "output"))
    seen_while = (status(browser), text_of(browser, "output"))
    wait(browser, 30).until(lambda d: status(d) == "success")

    assert seen_while[0] == "running" and "second" not in seen_while[1]
    wait(browser).until(
        lambda d: len(cell_classes(d)) == 3 and all("success" in c for c in cell_classes(d))
    )
    wait(browser).until(lambda d: "second" in text_of(d, "output"))
    # The node whose output shows stays marked while its cell changes state.
    assert [sorted(c.split()) for c in cell_classes(browser) if "chosen" in c.split()] == [
        ["cell", "chosen", "success"]
    ]
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#output .stderr")] == ["warn"]
    for cell in browser.find_elements(By.CSS_SELECTOR, ".cell"):  # each node's own output
        cell.click()
        assert text_of(browser, "output") == "first\nwarn\nsecond"
    assert sorted(c.text for c in browser.find_elements(By.CSS_SELECTOR, ".cell")) == SLAVES
    assert browser.execute_script("return window.notReloaded") is True
    assert not browser.find_element(By.ID, "kill-form").is_displayed()
    assert not browser.find_element(By.ID, "run-reason").is_displayed()  # none: no empty field
    wait(browser).until(lambda d: re.fullmatch(r"[4-9] s", text_of(d, "run-duration")))

    browser.get(f"{fleet.gateway.url}/ui/runs/{uuid}")  # a finished run shows its stored output
    wait(browser).until(lambda d: text_of(d, "live-state") == "ended")
    assert text_of(browser, "output") == "first\nwarn\nsecond"
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / "run-page.png"
    browser.save_screenshot(str(shot))
    if os.environ.get("JOBFLEET_SCREENSHOT_DOCS") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)


def test_the_runs_list_updates_a_row_without_reload_and_filters_by_the_url(
    browser: webdriver.Chrome, fleet: Fleet
) -> None:
    browser.get(f"{fleet.gateway.url}/ui/runs?name=listed")
    browser.execute_script("window.notReloaded = true")
    assert csp_violations(browser) == []
    uuid = fleet.run("listed run", step("wait", "sleep 3"))
    fleet.run("other run", step("quick", "true"))

    row = f'tr[data-uuid="{uuid}"] [data-status]'
    wait(browser).until(
        lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, row)] == ["running"]
    )
    wait(browser, 30).until(
        lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, row)] == ["success"]
    )

    assert browser.execute_script("return window.notReloaded") is True
    names = steady(
        lambda: [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#runs tbody a")]
    )
    assert names == ["listed run"]  # the filter holds across polls
    assert int(steady(lambda: text_of(browser, "today-success")).split()[0]) >= 1

    browser.get(f"{fleet.gateway.url}/ui/runs?status=sideways&name=listed")
    assert text_of(browser, "filter-error").startswith("status: unknown 'sideways'")
    assert browser.find_elements(By.ID, "runs") == []
    browser.get(f"{fleet.gateway.url}/ui/runs?from=yesterday")
    assert text_of(browser, "filter-error").startswith("from: 'yesterday' is not a date")
    with httpx.Client(
        base_url=fleet.gateway.url, cookies={"jobfleet_console": fleet.master.token}
    ) as http:
        assert http.get("/ui/runs?page=0").status_code == 400


POLLS = """
    return performance.getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname === "/ui/runs/live")
        .map((e) => e.startTime);
"""
"""When the runs list asked for its live part (ms since the page's start)."""


def test_the_runs_list_asks_nothing_while_its_tab_is_hidden_and_at_once_when_shown(
    browser: webdriver.Chrome, fleet: Fleet
) -> None:
    browser.get(f"{fleet.gateway.url}/ui/runs")
    browser.execute_script(
        "window.turns = [];"
        "document.addEventListener('visibilitychange', () =>"
        " turns.push([document.visibilityState, performance.now()]));"
    )
    wait(browser).until(lambda d: len(d.execute_script(POLLS)) >= 1)  # it polls while shown
    listing = browser.current_window_handle
    browser.switch_to.new_window("tab")  # another tab in front: the list's is hidden
    try:
        browser.get("about:blank")
        # The time the list stays hidden: over two of its 2 s polls.
        wait(browser).until(lambda d: d.execute_script("return performance.now()") > 4500)
    finally:
        browser.close()
        browser.switch_to.window(listing)  # the list's tab in front again
    wait(browser).until(lambda d: len(d.execute_script("return window.turns")) >= 2)
    [(hidden, hid_at), (shown, shown_at)] = browser.execute_script("return window.turns")[:2]
    wait(browser).until(lambda d: any(t >= shown_at - 100 for t in d.execute_script(POLLS)))

    polls = browser.execute_script(POLLS)
    assert (hidden, shown) == ("hidden", "visible") and shown_at - hid_at > 4000
    # (the page's own listener runs before the test's: its poll starts just before `shown_at`)
    assert [t for t in polls if hid_at + 100 < t < shown_at - 100] == []
    assert min(t for t in polls if t >= shown_at - 100) - shown_at < 500  # at once, no 2 s wait


def test_a_long_run_is_killed_from_the_page(browser: webdriver.Chrome, fleet: Fleet) -> None:
    uuid = fleet.run("long one", step("sleep", "echo started; sleep 60"))
    open_run(browser, fleet, uuid)
    wait(browser).until(lambda d: "started" in text_of(d, "output"))

    browser.find_element(By.ID, "kill").click()
    wait(browser, 30).until(lambda d: status(d) == "killed")

    assert fleet.task(uuid).status == common_pb2.TASK_STATUS_KILLED
    assert text_of(browser, "run-reason") != ""
    wait(browser).until(lambda d: all("killed" in c for c in cell_classes(d)))
    assert not browser.find_element(By.ID, "kill-form").is_displayed()
    assert browser.execute_script("return window.notReloaded") is True


def test_a_failed_step_is_decided_from_the_page(browser: webdriver.Chrome, fleet: Fleet) -> None:
    steps = [step("breaks", "exit 3", "s1"), step("after", "echo went on", "s2")]
    uuid = fleet.run("flaky", *steps, step("last", "echo last", "s3"))
    open_run(browser, fleet, uuid)
    wait(browser, 30).until(lambda d: status(d) == "decision")
    wait(browser).until(lambda d: d.find_element(By.ID, "decide-1-ignore").is_displayed())
    assert "fail" in cell_classes(browser)[0]

    browser.find_element(By.ID, "decide-1-ignore").click()
    wait(browser, 30).until(lambda d: status(d) == "success")

    subtasks = fleet.task(uuid).subtasks
    assert text_of(browser, f"step-{subtasks[0].uuid}") == "ignore"
    assert not browser.find_element(By.ID, "decide-1-ignore").is_displayed()
    # The later steps' cells were added live, each in its own step's grid.
    for sub, node, said in [(subtasks[1], "s2", "went on"), (subtasks[2], "s3", "last")]:
        [cell] = browser.find_elements(By.CSS_SELECTOR, f'[data-grid="{sub.uuid}"] .cell')
        assert cell.text == node
        cell.click()
        assert text_of(browser, "output") == said
    assert browser.execute_script("return window.notReloaded") is True


def test_each_steps_summary_counts_its_grid_and_failed_only_hides_the_rest(
    browser: webdriver.Chrome, fleet: Fleet, tmp_path: Path
) -> None:
    once = tmp_path / "first"  # the node that makes it first fails, the others succeed
    uuid = fleet.run(
        "one breaks", step("some", f"sleep 1; mkdir {once} 2>/dev/null && exit 3; true")
    )
    open_run(browser, fleet, uuid)
    [grid] = browser.find_elements(By.CSS_SELECTOR, "[data-grid]")
    summary = browser.find_element(By.CSS_SELECTOR, "[data-summary]")
    seen_running = wait(browser, 30).until(
        lambda d: summary.text if " 0 running" not in summary.text else None
    )
    wait(browser, 30).until(lambda d: status(d) == "decision")

    wait(browser).until(lambda d: summary.text.endswith("0 running, 0 waiting"))
    words = {"fail", "success", "running", "pending", "queued"}
    states = sorted(w for c in cell_classes(browser) for w in c.split() if w in words)
    assert states == ["fail", "success", "success"]
    assert summary.text == "3 nodes: 2 success, 1 failed, 0 running, 0 waiting"
    assert str(seen_running).startswith("3 nodes: ")

    browser.find_element(By.ID, "failed-only-1").click()
    shown = [c for c in grid.find_elements(By.CLASS_NAME, "cell") if c.is_displayed()]
    assert ["fail" in (c.get_attribute("class") or "") for c in shown] == [True]
    browser.find_element(By.ID, "failed-only-1").click()
    assert all(c.is_displayed() for c in grid.find_elements(By.CLASS_NAME, "cell"))

    browser.find_element(By.ID, "decide-1-fail").click()
    wait(browser, 30).until(lambda d: status(d) == "fail")
    wait(browser).until(lambda d: text_of(d, "run-duration").endswith(" s"))
    assert text_of(browser, "run-finished") != ""
    reason = fleet.task(uuid).reason
    wait(browser).until(
        lambda d: d.find_element(By.ID, "run-reason").is_displayed() == bool(reason)
    )
    assert browser.execute_script("return window.notReloaded") is True


def test_markup_in_names_and_output_shows_as_text(browser: webdriver.Chrome, fleet: Fleet) -> None:
    name = f"<b>bold</b>{HOSTILE}"
    uuid = fleet.run(name, step(HOSTILE, f"echo '{HOSTILE}'; sleep 1; echo '{HOSTILE}' >&2", "s1"))
    open_run(browser, fleet, uuid)
    wait(browser, 30).until(lambda d: text_of(d, "live-state") == "ended")

    assert text_of(browser, "run-name") == name
    assert text_of(browser, "output") == f"{HOSTILE}\n{HOSTILE}"
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main b") == []
    browser.get(f"{fleet.gateway.url}/ui/runs")  # an open alert would fail every call from here
    wait(browser).until(
        lambda d: name in [e.text for e in d.find_elements(By.CSS_SELECTOR, "#runs a")]
    )
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main b") == []
    assert csp_violations(browser) == []


def test_a_project_token_sees_only_its_projects_runs(
    browser: webdriver.Chrome, fleet: Fleet
) -> None:
    theirs = fleet.run("project one's", step("wait", "sleep 30", "s1"))
    other = fleet.master.create_project("other")
    token = (
        auth_pb2_grpc.TokenServiceStub(fleet.channel)
        .CreateToken(auth_pb2.CreateTokenRequest(project_id=other), timeout=10)
        .secret
    )
    try:
        browser.delete_all_cookies()
        sign_in(browser, fleet.gateway, token)
        assert text_of(browser, "who") == f"project {other}"
        assert browser.find_elements(By.CSS_SELECTOR, "#runs tbody a") == []
        assert browser.find_elements(By.ID, "f-project") == []  # the admin's filter only

        browser.get(f"{fleet.gateway.url}/ui/runs/{theirs}")
        assert text_of(browser, "refusal") != ""
        assert "project one" not in browser.page_source
        with httpx.Client(base_url=fleet.gateway.url, cookies={"jobfleet_console": token}) as http:
            page = http.get(f"/ui/runs/{theirs}")
            events = http.get(f"/ui/runs/{theirs}/events")
            origin = {"Origin": fleet.gateway.url}
            killed = http.post(f"/ui/runs/{theirs}/kill", headers=origin)
        assert page.status_code in (403, 404) and events.status_code == page.status_code
        assert killed.status_code == page.status_code
        assert (
            fleet.task(theirs).status == common_pb2.TASK_STATUS_RUNNING
        )  # the kill changed nothing
    finally:
        kill = task_pb2.KillTaskRequest(uuid=theirs)
        fleet.tasks.KillTask(kill, timeout=10)
        browser.delete_all_cookies()
        sign_in(browser, fleet.gateway, fleet.master.token)
    wait_until(
        lambda: fleet.task(theirs).status == common_pb2.TASK_STATUS_KILLED, 30, what="killed"
    )


def test_big_output_keeps_only_the_last_mebibyte_on_the_page(
    browser: webdriver.Chrome, fleet: Fleet
) -> None:
    script = "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo last-line"
    uuid = fleet.run("chatty", step("talk", script, "s1"))
    open_run(browser, fleet, uuid)
    wait(browser, 30).until(lambda d: text_of(d, "live-state") == "ended")

    kept = browser.execute_script("return document.getElementById('output').textContent")
    assert 1_000_000 < len(kept) <= 1 << 20
    assert kept.endswith("x\nlast-line\n")
    assert browser.find_element(By.ID, "output-dropped").is_displayed()
    assert "1 MiB" in text_of(browser, "output-dropped")


def test_an_open_run_stream_ends_when_the_gateway_stops_and_does_not_hold_it(
    fleet: Fleet, module_services: Services
) -> None:
    gateway = module_services.start_gateway(fleet.master)  # this module's own stays up
    uuid = fleet.run("held open", step("wait", "echo waiting; sleep 60", "s1"))
    cookies = {"jobfleet_console": fleet.master.token}
    try:
        with httpx.Client(base_url=gateway.url, cookies=cookies, timeout=20) as http:
            with http.stream("GET", f"/ui/runs/{uuid}/events") as stream:
                said = ""
                lines = stream.iter_lines()
                while "waiting" not in said:  # the run's output is live on the stream
                    said += next(lines) + "\n"
                asked = time.monotonic()
                gateway.proc.popen.send_signal(signal.SIGTERM)
                rest: list[str] = []
                try:
                    rest.extend(lines)  # returns once the gateway has ended the stream
                except httpx.RemoteProtocolError:  # cut, not ended: the drain ran out
                    rest.append("(cut)")
                ended = time.monotonic() - asked
            code = gateway.proc.popen.wait(10)
            stopped = time.monotonic() - asked
    finally:
        fleet.tasks.KillTask(task_pb2.KillTaskRequest(uuid=uuid), timeout=10)

    assert code == 0
    assert ended < 3 and stopped < 3, (ended, stopped)  # not the 10 s drain
    assert "(cut)" not in rest and "event: end" not in rest  # ended by the stop, not the run
