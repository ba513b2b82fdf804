"""The staff console on a phone (390 × 844, headless Chromium): what a staff member sees there.

The database is filled directly (a week of questions, queue items, a taught change by `cli`), so that what is
measured is the pages' layout, not today's answers: the inbox's service box is one line high, the charts'
labels are readable (≥ 11 px as drawn), 试一试 with a long answer does not scroll sideways, the most-unanswered
bars are not drawn in the colour of answered questions, and the command line is not shown as a person.
"""

from __future__ import annotations

import time

import pytest

from bot.staff import changes, signin
from bot.store import Storage
from retrieval.text import normalise
from tests.bot.test_console_browser import chromium, require_browser, serving
from tests.conftest import Clock

pytestmark = pytest.mark.browser

PHONE = (390, 844)
# Every page fits the phone's width: nothing wider than the window (1 px for rounding).
FITS = "return document.documentElement.scrollWidth <= window.innerWidth + 1"
# The smallest chart label as drawn: its font size times the chart's scale on the screen.
SMALLEST_LABEL = """
return Math.min(...Array.from(document.querySelectorAll('svg.chart text')).map(function (t) {
  return parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a;
}));"""
FILL = "return getComputedStyle(arguments[0]).fill"


async def _fill(storage: Storage, clock: Clock) -> None:
    """A week of logged questions and queue items, and one change made on the command line."""
    for day in range(7):
        for n, (text, decision, shown) in enumerate([("青托申报", "answered", "13"), ("科技小院怎么申请", "answered", "54"),
                                                     ("想咨询一下管科技馆讲解员那个事", "unanswered", None),
                                                     ("天津的共享单车怎么退押金", "unanswered", None),
                                                     ("最美科技工作者", "suggest", None)]):
            qid = await storage.queries.log_query(user_key=f"u{n}", chat_type="private", text=text, norm=normalise(text),
                                                  decision=decision, reason="clear", hits=[("13", 1.0)], shown=shown)
            if decision == "unanswered":
                await storage.inbox.enqueue(normalise(text), text, "unanswered", ["52", "54"], query_id=qid)
        clock.now += 86400
    await changes.term(storage, "科协之家", "科技工作者之家", signin.CLI)


async def test_the_console_on_a_phone(settings, tmp_path):
    require_browser()
    clock = Clock(time.time() - 7 * 86400)
    storage = Storage(settings.bot_db_path, clock=clock)
    await storage.open()
    try:
        await _fill(storage, clock)
        clock.now = time.time()
        with serving(settings) as base, chromium(tmp_path) as driver:
            from selenium.webdriver.common.by import By
            from selenium.webdriver.support import expected_conditions as EC
            from selenium.webdriver.support.ui import WebDriverWait

            wait = WebDriverWait(driver, 30)
            driver.set_window_size(*PHONE)
            driver.get(await signin.new_login_link(storage, base, signin.CLI))
            wait.until(EC.element_to_be_clickable((By.ID, "login"))).click()
            wait.until(EC.presence_of_element_located((By.ID, "tab-unanswered")))

            # The inbox: the service box is one line, not a 200 px block; the command line is not a person.
            box = driver.find_element(By.CSS_SELECTOR, "input.service-input")
            assert box.size["height"] <= 48, box.size
            assert driver.find_element(By.CSS_SELECTOR, ".who").text == "服务器命令行"
            assert driver.execute_script(FITS)

            # The dashboard: labels readable as drawn; the unanswered bars are not green like answered ones.
            driver.get(base + "/dashboard?days=7")
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.chart rect")))
            assert driver.execute_script(SMALLEST_LABEL) >= 11
            assert driver.execute_script(FITS)
            unanswered = driver.find_element(By.CSS_SELECTOR, "svg.bars.bad rect")
            answered = driver.find_element(By.CSS_SELECTOR, "svg.chart:not(.bars) rect.s0")
            assert driver.execute_script(FILL, unanswered) != driver.execute_script(FILL, answered)

            # 试一试 with a long answer (a card with a long web address) stays within the screen.
            driver.get(base + "/try?q=青托对年龄有什么要求")
            wait.until(EC.presence_of_element_located((By.ID, "try-result")))
            assert "tast.org.cn" in driver.find_element(By.CSS_SELECTOR, "pre.reply").text
            assert driver.execute_script(FITS), driver.execute_script("return document.documentElement.scrollWidth")

            driver.get(base + "/history")
            row = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.history tr")))
            assert "服务器命令行" in row.text and "cli" not in row.text
            assert driver.execute_script(FITS)
    finally:
        await storage.close()
