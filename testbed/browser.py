"""A real browser for the server's web pages: Debian's Chromium, headless, driven by Selenium
through Debian's chromium-driver. Nothing here downloads a browser or a driver.

    with chromium() as driver:          # in tests: tests.browser's, which skips where none is
        driver.get(url)
        wait_for(driver, lambda d: d.find_element(By.ID, "download"))
        screenshot(driver, "docs/join-page.png")

``chromium(user_agent=..., platform=..., mobile=...)`` makes the browser present itself as another
system both ways a server can ask: the User-Agent header and the User-Agent Client Hints
(``Sec-CH-UA-Platform``, ``Sec-CH-UA-Mobile``, ``navigator.userAgentData``), set together through
the DevTools protocol as a real browser on that system would send them. ``download_dir`` lets
downloads land there without asking.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WINDOW_SIZE = (1366, 768)

T = TypeVar("T")

# What Chromium 120+ on each system sends (the reduced User-Agent: fixed OS versions).
USER_AGENTS = {
    "windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        "Windows",
    ),
    "macos": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36",
        "macOS",
    ),
    "linux": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Linux",
    ),
    "android": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
        "Mobile Safari/537.36",
        "Android",
    ),
}


class BrowserMissing(RuntimeError):
    """Chromium, chromium-driver or Selenium is not installed; the message says which."""


def missing_browser() -> str | None:
    """Why no browser test can run here, or None when they can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if shutil.which(path) is None:
            return f"{path} is missing: install Debian's {package} (make system-deps)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is missing: install the dev extra (make test does)"
    return None


@contextmanager
def chromium(
    *,
    download_dir: Path | None = None,
    user_agent: str | None = None,
    platform: str | None = None,
    mobile: bool = False,
    window_size: tuple[int, int] = WINDOW_SIZE,
) -> Iterator[Any]:
    """A headless Chromium, quit (with its profile) when the block ends; :class:`BrowserMissing`
    where Chromium, its driver or Selenium is not installed."""
    reason = missing_browser()
    if reason:
        raise BrowserMissing(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        f"--window-size={window_size[0]},{window_size[1]}",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        # Loopback only: no sign-in, sync, update or safe-browsing traffic.
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-features=Translate,OptimizationHints,MediaRouter",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    if download_dir is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_dir),
                "download.prompt_for_download": False,
                "safebrowsing.enabled": False,
            },
        )
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        if download_dir is not None:
            driver.execute_cdp_cmd(
                "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)}
            )
        if user_agent is not None or platform is not None:
            _present_as(driver, user_agent, platform, mobile)
        yield driver
    finally:
        driver.quit()


def _present_as(driver: Any, user_agent: str | None, platform: str | None, mobile: bool) -> None:
    version = driver.capabilities.get("browserVersion", "126.0.0.0")
    major = version.split(".")[0]
    override: dict[str, Any] = {"userAgent": user_agent or driver.execute_script("return navigator.userAgent")}
    if platform is not None:
        override["userAgentMetadata"] = {
            "brands": [{"brand": "Chromium", "version": major}, {"brand": "Not.A/Brand", "version": "24"}],
            "fullVersion": version,
            "platform": platform,
            "platformVersion": "",
            "architecture": "" if mobile else "x86",
            "model": "",
            "mobile": mobile,
        }
    driver.execute_cdp_cmd("Emulation.setUserAgentOverride", override)


@contextmanager
def chromium_as(system: str, **options: Any) -> Iterator[Any]:
    """A browser that presents itself as ``system``: a key of :data:`USER_AGENTS`."""
    user_agent, platform = USER_AGENTS[system]
    with chromium(user_agent=user_agent, platform=platform, mobile=system == "android", **options) as driver:
        yield driver


def wait_for(driver: Any, condition: Callable[[Any], T], timeout: float = 10.0, message: str = "") -> T:
    """Poll ``condition(driver)`` until it returns something truthy (returned) or ``timeout``
    passes (AssertionError). Exceptions count as "not yet", so a missing element is waited for."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = condition(driver)
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - "not yet", reported if it never comes
            last_error = error
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s (last error: {last_error!r})")
        time.sleep(0.05)


def screenshot(driver: Any, path: str | Path) -> Path:
    """Save the whole page (not only the window) as a PNG at ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    size = driver.get_window_size()
    driver.set_window_size(max(size["width"], width), max(size["height"], height))
    try:
        if not driver.save_screenshot(str(target)):
            raise AssertionError(f"could not save a screenshot to {target}")
    finally:
        driver.set_window_size(size["width"], size["height"])
    return target
