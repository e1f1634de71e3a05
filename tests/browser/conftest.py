"""A real browser for the HTML report: Debian's headless Chromium driven by selenium, with no network.

Missing Chromium, its driver or selenium is a failure that says how to install them,
never a skip: the browser tests are what shows the report works where reviewers read it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import reference_portfolio  # noqa: E402  (this folder's helper; benchmarks/ has a `portfolio`)

INSTALL = (
    "the browser tests need headless Chromium and its driver: as root on Debian or Ubuntu, "
    "`apt-get update && apt-get install -y chromium chromium-driver` (.ci/run does it), "
    "and selenium: `pip install '.[test]'`"
)
WINDOW = (1280, 900)


def _executables() -> tuple[str, str]:
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.fail(f"{'chromium' if browser is None else 'chromedriver'} not found on PATH; {INSTALL}")
    return browser, driver


@pytest.fixture(scope="session")
def reference_records(tmp_path_factory) -> tuple[dict, list[dict]]:
    """(run, files) of the reference portfolio, checked by the real CLI."""
    return reference_portfolio.records(tmp_path_factory.mktemp("reference") / "portfolio")


@pytest.fixture(scope="session")
def reference_report(reference_records, tmp_path_factory) -> Path:
    """The reference portfolio's HTML report, written to a file."""
    from policycheck.report import html

    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html.render(*reference_records), encoding="utf-8", newline="\n")
    return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium with every way out closed: no DNS, a proxy that goes nowhere, and offline emulation."""
    executable, driver_path = _executables()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(f"selenium is not installed; {INSTALL}")
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    options = webdriver.ChromeOptions()
    options.binary_location = executable
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--force-device-scale-factor=1",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        yield driver
    finally:
        driver.quit()
