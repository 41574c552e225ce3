"""The console's browser tests: one headless Chromium for the whole run (each module starts with
no cookies), real master, slaves and gateway per module (`tests.integration.conftest`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.driver import start_chromium
from tests.integration.conftest import (  # noqa: F401  (fixtures these tests use)
    Gateway,
    module_services,
)

T = TypeVar("T")
SCREENSHOTS = Path(__file__).parent / "output"
"""Where the tests leave their screenshots (the README shows the run page's)."""


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Fails (never skips) when the browser cannot start: scripts/browser installs it."""
    try:
        driver = start_chromium(str(tmp_path_factory.mktemp("chromium-profile")))
    except Exception as exc:  # selenium raises several kinds; each is a failure here
        pytest.fail(f"headless chromium did not start (scripts/browser install): {exc}")
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def browser(chromium: webdriver.Chrome) -> webdriver.Chrome:
    """The browser with no cookies: each module signs in for itself."""
    chromium.delete_all_cookies()
    chromium.get("about:blank")
    return chromium


def wait(driver: webdriver.Chrome, timeout: float = 20) -> WebDriverWait[webdriver.Chrome]:
    """Polls every 50 ms; an element replaced while looked at (a live fragment swapped in by
    the page) is looked up again at the next poll."""
    return WebDriverWait(
        driver, timeout, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)
    )


def steady(read: Callable[[], T], timeout: float = 10) -> T:
    """`read()`'s answer, read again when a live fragment swapped in by the page replaced an
    element it held (StaleElementReferenceException); what it reads is not waited for."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return read()
        except StaleElementReferenceException:
            if time.monotonic() > deadline:
                raise


def sign_in(driver: webdriver.Chrome, gateway: Gateway, token: str) -> None:
    """Through the sign-in page, as a person does; ends on the runs page."""
    driver.get(gateway.url + "/ui/")
    wait(driver).until(lambda d: d.find_elements(By.ID, "token"))
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "signin").click()
    wait(driver).until(lambda d: d.current_url.startswith(gateway.url + "/ui/runs"))


def text_of(driver: webdriver.Chrome, element_id: str) -> str:
    found: list[WebElement] = driver.find_elements(By.ID, element_id)
    return found[0].text if found else ""


def csp_violations(driver: webdriver.Chrome) -> list[str]:
    """What the browser's console said about the Content-Security-Policy since last asked."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")  # type: ignore[no-untyped-call]
        if "Content Security Policy" in entry.get("message", "")
    ]
