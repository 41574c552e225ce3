"""Headless Chromium under selenium, from Debian's packages (scripts/browser installs them).

Nothing is downloaded: selenium is given both paths, so its own manager never runs. The flags
keep Chromium off the network it would otherwise try (this machine has none beyond loopback)
and give each start an empty profile. A browser that cannot start is a failure, never a skip.
`python -m tests.browser.driver` starts one and loads a page (scripts/browser check).
"""

from __future__ import annotations

import os
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

os.environ.setdefault("SE_OFFLINE", "true")  # selenium must never fetch a driver
CHROMIUM = os.environ.get("JOBFLEET_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("JOBFLEET_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--window-size=1400,1000",
]


def start_chromium(profile_dir: str | None = None) -> webdriver.Chrome:
    """A new headless Chromium; as root it must run without its sandbox."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.add_argument(f"--user-data-dir={profile_dir or tempfile.mkdtemp(prefix='chromium-')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))


if __name__ == "__main__":
    driver = start_chromium()
    try:
        driver.get("data:text/html,<title>ok</title>")
        print(f"chromium {driver.capabilities.get('browserVersion')}: loaded {driver.title!r}")
    finally:
        driver.quit()
