"""The try-out page in a real headless Chromium, as a QA lead would use it on `qabot demo`.

Uses the system's Chromium and chromedriver (Debian: `apt-get install chromium
chromium-driver`); nothing is downloaded (the driver path is given and SE_OFFLINE=1). Skipped
when they are missing. Screenshots of the main screens go to tests/tryout/screenshots/
(git-ignored).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).parent / "screenshots"
DOMAIN = "demo.somerset.gov.uk"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver",
)
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """`qabot demo` in an empty folder, as a new user starts it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QABOT_", "SLACK_"))}
    env["QABOT_LOG_LEVEL"] = "WARNING"
    log = (tmp_path / "demo.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except OSError:
                assert process.poll() is None, (tmp_path / "demo.log").read_text()
                time.sleep(0.25)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        output = (tmp_path / "demo.log").read_text()
        assert "Traceback" not in output, output


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    os.environ["SE_OFFLINE"] = "1"  # selenium-manager must never download a browser or driver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(2)
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    def __init__(self, driver: WebDriver, base: str) -> None:
        self.driver = driver
        self.base = base

    def open(self, email: str) -> None:
        self.driver.get(f"{self.base}/try?as={email}")

    def switch_to(self, name: str) -> None:
        """Pick a person in the header, as a person would (the page reloads as them)."""
        select = Select(self.driver.find_element(By.NAME, "as"))
        option = next(o for o in select.options if o.text.startswith(name))
        old = self.driver.find_element(By.TAG_NAME, "h2")
        select.select_by_visible_text(option.text)
        WebDriverWait(self.driver, 10).until(lambda d: _stale(old))
        assert self.driver.find_element(By.TAG_NAME, "h2").text == f"Chat as {name}"

    def say(self, text: str) -> None:
        box = self.driver.find_element(By.CSS_SELECTOR, "#say textarea")
        box.send_keys(text)
        self.click(self.driver.find_element(By.CSS_SELECTOR, "#say button"))

    def click(self, element: WebElement) -> None:
        """Click, and wait for the page the server answers with."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 20).until(lambda d: _stale(old))

    def move_clock(self, step: str) -> None:
        self.click(self.driver.find_element(By.XPATH, f"//button[@value='{step}']"))

    def section(self, element_id: str) -> str:
        return self.driver.find_element(By.ID, element_id).text

    def last_card(self, name: str) -> WebElement:
        cards = self.driver.find_elements(
            By.CSS_SELECTOR, f'#conversation form[data-card="{name}"]'
        )
        assert cards, f"no {name} card in: {self.section('conversation')[-1500:]}"
        return cards[-1]

    def press(self, card: WebElement, label: str) -> None:
        self.click(card.find_element(By.XPATH, f".//button[normalize-space()='{label}']"))

    def shot(self, name: str) -> None:
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def _stale(element: WebElement) -> bool:
    try:
        element.is_enabled()
    except Exception:
        return True
    return False


def test_nominate_vote_allocate_and_move_the_clock(demo: str, browser: WebDriver) -> None:
    page = Page(browser, demo)
    page.open(f"sam.sw@{DOMAIN}")
    assert "Three things to try" in browser.page_source
    page.shot("01-start")

    # A practitioner nominates a colleague.
    page.say("nominate")
    form = page.last_card("nomination_form")
    form.find_element(By.XPATH, ".//label[contains(., 'Priya Patel')]/input").click()
    form.find_element(By.NAME, "input:what_happened").send_keys(
        "Priya used a three houses exercise over four visits so the child could say what "
        "worried them, and took their words to the conference."
    )
    form.find_element(By.NAME, "input:difference_made").send_keys(
        "The plan was rewritten around what the child said."
    )
    Select(form.find_element(By.NAME, "input:evidence_source")).select_by_index(1)
    Select(form.find_element(By.NAME, "input:theme")).select_by_index(1)
    form.find_element(By.NAME, "input:family_voice").click()
    form.find_element(By.NAME, "input:consent").click()
    page.shot("02-nomination-form")
    page.press(form, "Submit nomination")
    said = page.section("conversation")
    found = re.search(r"GP-\d{4}-\d{4}", said)
    assert found, said[-1500:]
    reference = found[0]

    # Three CSWs ratify it from their tasks.
    for csw in ("Bea Consultant", "Finn Consultant", "Gail Consultant"):
        page.switch_to(csw)
        page.say("my tasks")
        tasks = page.driver.find_elements(By.CSS_SELECTOR, "#conversation form")[-1]
        page.press(tasks, f"Vote on {reference}")
        page.press(page.driver.find_elements(By.CSS_SELECTOR, "#conversation form")[-1], "Ratify")
        assert "Ratify" in page.section("conversation")
    page.shot("03-vote")
    # Three of the four CSWs have voted: the vote closes at its deadline, a working week on.
    page.move_clock("week")
    page.say(f"library {reference}")
    library = page.driver.find_elements(By.CSS_SELECTOR, "#conversation form")[-1].text
    assert "Good Practice Library" in library and reference in library, library
    page.shot("04-library")

    # The QA team allocates from a pasted CSV; the assignee sees the card.
    page.switch_to("Quinn Improvement")
    sample = browser.find_element(By.CSS_SELECTOR, "details pre").get_attribute("textContent")
    assert sample and "sam.sw@" in sample
    page.say("allocate\n" + sample)
    proposal = page.last_card("allocation_proposal")
    page.shot("05-allocation-proposal")
    page.press(
        proposal,
        next(
            b.text
            for b in proposal.find_elements(By.TAG_NAME, "button")
            if b.text.startswith("Confirm")
        ),
    )
    page.switch_to("Sam Social")
    mine = page.section("messages")
    assert "Practice Evaluation" in mine and "Accept" in mine, mine[:2000]
    page.shot("06-assignee-card")

    # Demo time moves: a morning summary, then the overdue work is escalated to the manager.
    before = page.section("demo-time")
    page.move_clock("morning")
    assert page.section("demo-time") != before
    page.move_clock("quarter")
    page.move_clock("morning")
    mine = page.section("messages")
    assert browser.find_elements(By.CSS_SELECTOR, '#messages form[data-card="morning_summary"]'), (
        mine[:2000]
    )
    page.shot("07-morning-summary")
    page.switch_to("Tess Manager")
    escalations = browser.find_elements(
        By.CSS_SELECTOR, '#messages form[data-card="overdue_escalation"]'
    )
    assert any("Sam Social" in e.text and "2047101" in e.text for e in escalations), page.section(
        "messages"
    )[:2000]
    page.shot("08-escalation")
