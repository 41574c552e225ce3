"""Signing in to the console, as a person does in Chromium: the token kept in a cookie the page
cannot read, refused tokens answered on the page, signing out."""

from __future__ import annotations

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.browser.conftest import csp_violations, sign_in, text_of, wait
from tests.integration.conftest import Gateway, Master, Services


@pytest.fixture(scope="module")
def served(module_services: Services) -> tuple[Master, Gateway]:
    master = module_services.start_master()
    return master, module_services.start_gateway(master)


def test_a_page_asked_for_before_signing_in_leads_back_to_it_after(
    browser: webdriver.Chrome, served: tuple[Master, Gateway]
) -> None:
    master, gateway = served
    browser.get(gateway.url + "/ui/runs?status=failed")
    wait(browser).until(lambda d: d.find_elements(By.ID, "token"))
    assert "/ui/signin" in browser.current_url
    browser.find_element(By.ID, "token").send_keys(master.token)
    browser.find_element(By.ID, "signin").click()
    wait(browser).until(lambda d: "/ui/runs?status=failed" in d.current_url)
    assert text_of(browser, "who") == "admin"

    cookie = browser.get_cookie("jobfleet_console")
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"], cookie["path"]) == (
        True,
        True,
        "Strict",
        "/ui",
    )
    # The page's scripts cannot read it.
    assert "jobfleet_console" not in browser.execute_script("return document.cookie")
    assert csp_violations(browser) == []


def test_a_wrong_token_is_refused_on_the_page_and_keeps_nothing(
    browser: webdriver.Chrome, served: tuple[Master, Gateway]
) -> None:
    _, gateway = served
    browser.delete_all_cookies()
    browser.get(gateway.url + "/ui/signin")
    browser.find_element(By.ID, "token").send_keys("not-a-real-token")
    browser.find_element(By.ID, "signin").click()
    wait(browser).until(lambda d: d.find_elements(By.ID, "signin-error"))
    assert text_of(browser, "signin-error") == "token: refused by the master"
    assert browser.get_cookie("jobfleet_console") is None


def test_signing_out_ends_the_session(
    browser: webdriver.Chrome, served: tuple[Master, Gateway]
) -> None:
    master, gateway = served
    sign_in(browser, gateway, master.token)
    browser.find_element(By.ID, "signout").click()
    wait(browser).until(lambda d: d.find_elements(By.ID, "token"))
    assert browser.get_cookie("jobfleet_console") is None
    browser.get(gateway.url + "/ui/runs")
    wait(browser).until(lambda d: "/ui/signin" in d.current_url)


def test_an_action_from_another_site_is_refused(served: tuple[Master, Gateway]) -> None:
    """A page elsewhere posting with the user's cookie (a browser would send it, were it not
    SameSite): refused by its Origin, before the token is even looked at."""
    master, gateway = served
    cookies = {"jobfleet_console": master.token}
    with httpx.Client(base_url=gateway.url, cookies=cookies) as client:
        hostile = client.post("/ui/signout", headers={"Origin": "https://evil.example"})
        assert hostile.status_code == 403
        fetched = client.post("/ui/signout", headers={"Sec-Fetch-Site": "cross-site"})
        assert fetched.status_code == 403
        # The console's own page behind an HTTPS proxy: same host, https origin.
        host = gateway.url.removeprefix("http://")
        own = client.post("/ui/signout", headers={"Origin": f"https://{host}"})
        assert (own.status_code, own.headers["location"]) == (303, "/ui/signin")


def test_signing_in_by_a_name_other_than_loopback_over_plain_http_says_why_it_cannot_last(
    served: tuple[Master, Gateway],
) -> None:
    _, gateway = served
    with httpx.Client(base_url=gateway.url) as client:
        asked = client.get("/ui/signin", headers={"Host": "jobs.example.com"})
        assert "browsers keep the session cookie only over HTTPS" in asked.text
        proxied = client.get(
            "/ui/signin", headers={"Host": "jobs.example.com", "X-Forwarded-Proto": "https"}
        )
        assert "browsers keep the session cookie only over HTTPS" not in proxied.text
        assert "only over HTTPS" not in client.get("/ui/signin").text
