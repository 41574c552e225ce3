"""The console's jobs, crontabs and slaves pages, as a person uses them in Chromium: one master,
two slaves and one gateway for the whole module; what the pages do is checked over gRPC too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import grpc
import httpx
import pytest
from croniter import croniter
from selenium import webdriver
from selenium.webdriver.common.by import By

from jobfleet.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    catalog_pb2,
    catalog_pb2_grpc,
    common_pb2,
    crontab_pb2,
    crontab_pb2_grpc,
    task_pb2,
    task_pb2_grpc,
)
from tests.browser.conftest import csp_violations, sign_in, text_of, wait
from tests.integration.conftest import Gateway, Master, Services
from tests.waiting import wait_until

HOSTILE = "<img src=x onerror=alert(1)>"
ZONE = "Asia/Kathmandu"  # +05:45, no daylight saving: an offset no one gets right by luck
NIGHTLY = "30 4 * * *"


def cmd_step(name: str, script: str, nodes: str) -> common_pb2.Step:
    selector = common_pb2.NodeSelector(type=common_pb2.NODE_SELECTOR_TYPE_BUILTIN, content=nodes)
    return common_pb2.Step(
        name=name,
        cmd=common_pb2.CmdStep(
            nodes=selector, script_type=common_pb2.SCRIPT_TYPE_SHELL, script=script
        ),
    )


@dataclass
class Fleet:
    master: Master
    gateway: Gateway
    channel: grpc.Channel
    greet: catalog_pb2.Job
    nightly: int
    pulse: int
    other_token: str

    @property
    def tasks(self) -> task_pb2_grpc.TaskServiceStub:
        return task_pb2_grpc.TaskServiceStub(self.channel)

    @property
    def crontabs(self) -> crontab_pb2_grpc.CrontabServiceStub:
        return crontab_pb2_grpc.CrontabServiceStub(self.channel)

    def task_count(self) -> int:
        """How many tasks of the job `greet` (the one the run form starts)."""
        ask = task_pb2.ListTasksRequest(name_contains="greet", limit=1)
        reply = self.tasks.ListTasks(ask, timeout=10)
        return int(reply.total)

    def crontab(self, crontab_id: int) -> crontab_pb2.Crontab:
        ask = crontab_pb2.GetCrontabRequest(project_id=1, id=crontab_id)
        found: crontab_pb2.Crontab = self.crontabs.GetCrontab(ask, timeout=10).crontab
        return found


def make_job(
    catalog: catalog_pb2_grpc.CatalogServiceStub, project: int, name: str, step: common_pb2.Step
) -> catalog_pb2.Job:
    ask = catalog_pb2.CreateJobRequest(project_id=project, name=name, steps=[step])
    made: catalog_pb2.Job = catalog.CreateJob(ask, timeout=10).job
    return made


def make_crontab(
    stub: crontab_pb2_grpc.CrontabServiceStub,
    project: int,
    name: str,
    job: str,
    cron: str,
    status: crontab_pb2.CrontabStatus = crontab_pb2.CRONTAB_STATUS_AVAILABLE,
) -> int:
    ask = crontab_pb2.CreateCrontabRequest(
        project_id=project, name=name, job_uuid=job, cron=cron, time_zone=ZONE, status=status
    )
    return int(stub.CreateCrontab(ask, timeout=10).crontab.id)


@pytest.fixture(scope="module")
def fleet(module_services: Services) -> Iterator[Fleet]:
    master = module_services.start_master()
    module_services.start_slave(master, "s1")
    module_services.start_slave(master, "s2")
    gateway = module_services.start_gateway(master)
    other = master.create_project("other")
    with master.channel() as channel:
        catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        crontabs = crontab_pb2_grpc.CrontabServiceStub(channel)
        say = cmd_step("say", "echo ${greeting} ${target}", "s1,s2")
        greet = make_job(catalog, 1, "greet", say)
        catalog.SaveVariable(
            catalog_pb2.SaveVariableRequest(
                project_id=1, job_uuid=greet.uuid, name="greeting", value="hello"
            ),
            timeout=10,
        )
        make_job(catalog, 1, HOSTILE, cmd_step("quiet", "true", "s1"))
        tick = make_job(catalog, 1, "tick", cmd_step("tick", "true", "s1"))
        nightly = make_crontab(crontabs, 1, "nightly", tick.uuid, NIGHTLY)
        stopped = crontab_pb2.CRONTAB_STATUS_UNAVAILABLE
        pulse = make_crontab(crontabs, 1, "pulse", tick.uuid, "* * * * * *", stopped)
        elsewhere = make_job(catalog, other, "other-job", cmd_step("x", "true", "s1"))
        make_crontab(crontabs, other, "other-cron", elsewhere.uuid, NIGHTLY)
        token = auth_pb2_grpc.TokenServiceStub(channel).CreateToken(
            auth_pb2.CreateTokenRequest(project_id=other), timeout=10
        )
        yield Fleet(master, gateway, channel, greet, nightly, pulse, token.secret)


@pytest.fixture(scope="module")
def admin(browser: webdriver.Chrome, fleet: Fleet) -> webdriver.Chrome:
    """The browser signed in with the admin token."""
    sign_in(browser, fleet.gateway, fleet.master.token)
    return browser


def job_url(fleet: Fleet) -> str:
    return f"{fleet.gateway.url}/ui/jobs/1/{fleet.greet.uuid}"


def texts(driver: webdriver.Chrome, css: str) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def test_the_jobs_list_shows_every_job_and_a_hostile_name_as_text(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    admin.get(fleet.gateway.url + "/ui/jobs")
    wait(admin).until(lambda d: d.find_elements(By.ID, "jobs"))
    names = texts(admin, "#jobs .job-name")
    assert {"greet", "tick", HOSTILE} <= set(names)
    assert admin.find_elements(By.CSS_SELECTOR, "#jobs img") == []
    assert csp_violations(admin) == []
    admin.find_element(By.LINK_TEXT, HOSTILE).click()
    wait(admin).until(lambda d: d.find_elements(By.ID, "run-form"))
    assert text_of(admin, "job-name") == HOSTILE
    assert admin.find_elements(By.CSS_SELECTOR, "main img") == []
    assert csp_violations(admin) == []


def test_a_missing_variable_is_refused_on_the_page_naming_it_and_starts_nothing(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    before = fleet.task_count()
    admin.get(job_url(fleet))
    wait(admin).until(lambda d: d.find_elements(By.ID, "run-form"))
    assert csp_violations(admin) == []
    assert texts(admin, "#steps pre.script") == ["echo ${greeting} ${target}"]
    assert admin.find_element(By.ID, "var.greeting").get_attribute("value") == "hello"
    admin.find_element(By.ID, "run").click()
    wait(admin).until(lambda d: d.find_elements(By.ID, "run-error"))
    assert text_of(admin, "error-var.target") == "variable target: required (it has no value)"
    assert "variable target" in text_of(admin, "run-error")
    assert fleet.task_count() == before


def test_the_run_form_refuses_with_a_client_error_too(fleet: Fleet) -> None:
    """The same form sent without a browser: 422, naming the variable; nothing started."""
    before = fleet.task_count()
    cookies = {"jobfleet_console": fleet.master.token}
    with httpx.Client(base_url=fleet.gateway.url, cookies=cookies) as client:
        form = {"var.greeting": "hi", "var.target": "  ", "task_uuid": "a1"}
        answer = client.post(f"/ui/jobs/1/{fleet.greet.uuid}/run", data=form)
    assert answer.status_code == 422
    assert "variable target: required" in answer.text
    assert fleet.task_count() == before


def test_a_refusal_of_the_master_is_shown_on_the_form_which_keeps_what_was_typed(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    before = fleet.task_count()
    admin.get(job_url(fleet))
    wait(admin).until(lambda d: d.find_elements(By.ID, "run-form"))
    admin.find_element(By.ID, "var.target").send_keys("world")
    admin.find_element(By.ID, "nodes").send_keys("nowhere")
    admin.find_element(By.ID, "run").click()
    wait(admin).until(lambda d: d.find_elements(By.ID, "run-error"))
    assert text_of(admin, "run-error").startswith("nodes: ")
    assert "nowhere" in text_of(admin, "run-error")
    assert admin.find_element(By.ID, "var.target").get_attribute("value") == "world"
    assert admin.find_element(By.ID, "nodes").get_attribute("value") == "nowhere"
    assert fleet.task_count() == before


def test_a_dry_run_shows_the_filled_script_and_its_nodes_and_starts_nothing(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    before = fleet.task_count()
    admin.get(job_url(fleet))
    wait(admin).until(lambda d: d.find_elements(By.ID, "run-form"))
    admin.find_element(By.ID, "var.target").send_keys("<b>world</b>")
    admin.find_element(By.ID, "preview").click()
    wait(admin).until(lambda d: d.find_elements(By.ID, "dry-run"))
    assert texts(admin, "#dry-run pre.planned-script") == ["echo hello <b>world</b>"]
    assert admin.find_elements(By.CSS_SELECTOR, "#dry-run b") == []  # text, not markup
    assert texts(admin, "#dry-run .planned-nodes") == ["s1, s2"]
    assert csp_violations(admin) == []
    assert fleet.task_count() == before


def test_a_filled_form_starts_the_task_and_lands_on_its_run_page(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    before = fleet.task_count()
    admin.get(job_url(fleet))
    wait(admin).until(lambda d: d.find_elements(By.ID, "run-form"))
    admin.find_element(By.ID, "var.target").send_keys("world")
    admin.find_element(By.ID, "run").click()
    prefix = fleet.gateway.url + "/ui/runs/"
    wait(admin).until(lambda d: d.current_url.startswith(prefix))
    task_uuid = admin.current_url.removeprefix(prefix)
    ask = task_pb2.GetTaskRequest(project_id=1, uuid=task_uuid)
    task = fleet.tasks.GetTask(ask, timeout=10).task
    assert (task.job_uuid, task.submitter, task.call_type) == (
        fleet.greet.uuid,
        "console:admin",
        "page",
    )
    assert dict(task.variables) == {"greeting": "hello", "target": "world"}
    assert fleet.task_count() == before + 1


def test_the_run_form_sent_twice_starts_one_task(fleet: Fleet) -> None:
    before = fleet.task_count()
    cookies = {"jobfleet_console": fleet.master.token}
    form = {"var.greeting": "hi", "var.target": "twice", "task_uuid": "SameFormTwice1"}
    with httpx.Client(base_url=fleet.gateway.url, cookies=cookies) as client:
        first = client.post(f"/ui/jobs/1/{fleet.greet.uuid}/run", data=form)
        second = client.post(f"/ui/jobs/1/{fleet.greet.uuid}/run", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"] == "/ui/runs/SameFormTwice1"
    assert fleet.task_count() == before + 1


def test_the_jobs_list_and_the_jobs_page_link_its_last_run(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    """A run started elsewhere (over gRPC) is the newest: both pages link it."""
    ask = task_pb2.SubmitJobRequest(
        project_id=1,
        job_uuid=fleet.greet.uuid,
        variables={"target": "latest"},
        task_uuid="LatestRunOfGreet",
    )
    fleet.tasks.SubmitJob(ask, timeout=10)
    newest = f"{fleet.gateway.url}/ui/runs/LatestRunOfGreet"
    admin.get(fleet.gateway.url + "/ui/jobs")
    wait(admin).until(lambda d: d.find_elements(By.ID, "jobs"))
    row = f'#jobs tr[data-uuid="{fleet.greet.uuid}"] .last-run a'
    assert [a.get_attribute("href") for a in admin.find_elements(By.CSS_SELECTOR, row)] == [newest]
    admin.get(job_url(fleet))
    wait(admin).until(lambda d: d.find_elements(By.ID, "recent-runs"))
    links = admin.find_elements(By.CSS_SELECTOR, "#recent-runs a")
    assert links[0].get_attribute("href") == newest


def test_the_crontab_list_shows_the_next_fires_in_the_crontabs_zone(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    admin.get(fleet.gateway.url + "/ui/crontabs")
    wait(admin).until(lambda d: d.find_elements(By.ID, "crontabs"))
    assert csp_violations(admin) == []
    shown = texts(admin, f"#crontab-{fleet.nightly}-next li")
    cursor = croniter(NIGHTLY, dt.datetime.now(ZoneInfo(ZONE)))
    expected = [cursor.get_next(dt.datetime).strftime("%Y-%m-%d %H:%M:%S %z") for _ in range(3)]
    assert shown == expected
    assert all(s.endswith("+0545") for s in shown)


def test_stopping_and_starting_a_crontab_shows_and_changes_its_status(
    admin: webdriver.Chrome, fleet: Fleet
) -> None:
    nightly = fleet.nightly
    admin.get(fleet.gateway.url + "/ui/crontabs")
    wait(admin).until(lambda d: d.find_elements(By.ID, f"crontab-{nightly}-stop"))
    admin.find_element(By.ID, f"crontab-{nightly}-stop").click()
    wait(admin).until(lambda d: d.find_elements(By.ID, f"crontab-{nightly}-start"))
    assert text_of(admin, f"crontab-{nightly}-status") == "unavailable"
    assert texts(admin, f"#crontab-{nightly}-next li") == ["none while stopped"]
    assert fleet.crontab(nightly).status == crontab_pb2.CRONTAB_STATUS_UNAVAILABLE

    admin.find_element(By.ID, f"crontab-{nightly}-start").click()
    wait(admin).until(lambda d: d.find_elements(By.ID, f"crontab-{nightly}-stop"))
    assert text_of(admin, f"crontab-{nightly}-status") == "available"
    assert fleet.crontab(nightly).status == crontab_pb2.CRONTAB_STATUS_AVAILABLE


def test_a_crontab_switch_from_another_site_or_with_a_bad_status_changes_nothing(
    fleet: Fleet,
) -> None:
    cookies = {"jobfleet_console": fleet.master.token}
    path = f"/ui/crontabs/1/{fleet.nightly}/status"
    stop = {"status": "unavailable"}
    with httpx.Client(base_url=fleet.gateway.url, cookies=cookies) as client:
        hostile = client.post(path, data=stop, headers={"Origin": "https://evil.example"})
        assert hostile.status_code == 403
        fetched = client.post(path, data=stop, headers={"Sec-Fetch-Site": "cross-site"})
        assert fetched.status_code == 403
        bad = client.post(path, data={"status": "paused"})
        assert bad.status_code == 400
        assert "status: must be one of available, unavailable" in bad.text
    assert fleet.crontab(fleet.nightly).status == crontab_pb2.CRONTAB_STATUS_AVAILABLE


def test_a_crontabs_recent_fires_link_to_their_runs(admin: webdriver.Chrome, fleet: Fleet) -> None:
    switch = crontab_pb2.SetCrontabStatusRequest(
        project_id=1, id=fleet.pulse, status=crontab_pb2.CRONTAB_STATUS_AVAILABLE
    )
    fleet.crontabs.SetCrontabStatus(switch, timeout=10)

    def started() -> str:
        fires = fleet.crontab(fleet.pulse).recent_fires
        return next((f.task_uuid for f in fires if f.task_uuid), "")

    task_uuid = wait_until(started, 20, what="a fire of the every-second crontab")
    ask = crontab_pb2.SetCrontabStatusRequest(
        project_id=1, id=fleet.pulse, status=crontab_pb2.CRONTAB_STATUS_UNAVAILABLE
    )
    fleet.crontabs.SetCrontabStatus(ask, timeout=10)
    admin.get(fleet.gateway.url + "/ui/crontabs")
    wait(admin).until(lambda d: d.find_elements(By.ID, f"crontab-{fleet.pulse}-fires"))
    links = admin.find_elements(By.CSS_SELECTOR, f"#crontab-{fleet.pulse}-fires a")
    hrefs = {a.get_attribute("href") for a in links}
    assert f"{fleet.gateway.url}/ui/runs/{task_uuid}" in hrefs
    assert "started" in {a.text for a in links}


def test_the_slaves_page_lists_the_attached_slaves(admin: webdriver.Chrome, fleet: Fleet) -> None:
    admin.get(fleet.gateway.url + "/ui/slaves")
    wait(admin).until(lambda d: d.find_elements(By.ID, "slaves"))
    assert csp_violations(admin) == []
    assert texts(admin, "#slaves .slave-name") == ["s1", "s2"]
    assert texts(admin, "#slaves .state") == ["attached", "attached"]


def test_a_project_token_sees_only_its_projects_jobs_and_crontabs(
    browser: webdriver.Chrome, fleet: Fleet
) -> None:
    browser.delete_all_cookies()
    sign_in(browser, fleet.gateway, fleet.other_token)
    browser.get(fleet.gateway.url + "/ui/jobs")
    wait(browser).until(lambda d: d.find_elements(By.ID, "jobs"))
    assert texts(browser, "#jobs .job-name") == ["other-job"]
    browser.get(fleet.gateway.url + "/ui/crontabs")
    wait(browser).until(lambda d: d.find_elements(By.ID, "crontabs"))
    assert texts(browser, "#crontabs .crontab-name") == [f"other-cron\nproject {2}"]
    browser.get(job_url(fleet))  # another project's job, asked for by its address
    wait(browser).until(lambda d: d.find_elements(By.ID, "refusal"))
    assert "this token is for project 2, not 1" in text_of(browser, "refusal")
    assert browser.find_elements(By.ID, "run-form") == []
    assert csp_violations(browser) == []
