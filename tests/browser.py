"""Headless Chromium through Selenium, for tests that look at pages as a reader's browser shows them.

Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``, ``/usr/bin/chromedriver``)
or any on PATH; a test asking for :func:`chromium` is skipped where neither is installed.
Selenium is given the driver's path, so it never goes looking for one on the network.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

T = TypeVar("T")
WINDOW = (1600, 1000)  # wide enough for two editions side by side at a readable size
MIN_WINDOW = 500  # narrower is emulated as a phone's screen (our pages set a viewport meta)


def _binaries() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("needs Chromium and its driver (Debian: apt-get install chromium chromium-driver)")
    return browser, driver


@contextmanager
def chromium(width: int = WINDOW[0], height: int = WINDOW[1]) -> Iterator[WebDriver]:
    """A headless Chromium of ``width`` x ``height`` pixels, quit afterwards (below 500 px wide, a
    phone's screen of that size, emulated: ``innerWidth`` is then ``width``)."""
    browser, driver = _binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-extensions", "--no-first-run", f"--window-size={width},{height}"):
        options.add_argument(argument)
    session = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    if width < MIN_WINDOW:  # a phone: headless Chromium's window is never narrower than 500 px
        session.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
        )
    try:
        yield session
    finally:
        session.quit()


def wait_for(session: WebDriver, condition: Callable[[WebDriver], T], timeout: float = 60, what: str = "") -> T:
    """The first true value of ``condition(session)`` within ``timeout`` seconds, or a failure
    naming ``what``."""
    return WebDriverWait(session, timeout, poll_frequency=0.05).until(condition, message=what)
