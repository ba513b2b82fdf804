"""The staff console's real pages in headless Chromium (Debian's chromium + chromium-driver, no download).

The console runs in uvicorn on a free local port (its own thread, its own database connection, as
`python -m bot.review serve` would); the bot core runs in-process on the same database. A staff member
signs in with a login link, sees a queued question with its context, links it, and the bot answers it;
marks another out of scope and the bot declines it; undoes both on the history page and the bot answers
as before. The dashboard screenshot is taken here (copied into docs/ with UPDATE_DOCS_SCREENSHOT=1).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from bot.chat.core import Assistant
from bot.chat.replies import Sender
from bot.staff import signin
from bot.store import Storage
from retrieval.text import normalise
from tests.conftest import Clock, free_port, html, press

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
DOCS_SHOT = Path(__file__).resolve().parents[2] / "docs" / "console-dashboard.png"
WAIT = 30

pytestmark = pytest.mark.browser


MISSING = (f"the browser test needs {CHROMIUM} and {CHROMEDRIVER} (Debian packages chromium and chromium-driver): "
           f"run scripts/install-test-deps.sh")


def require_browser() -> None:
    """Fail in one line, naming what to install, when Debian's Chromium or its driver is missing."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(MISSING, pytrace=False)


@contextmanager
def chromium(tmp_path: Path) -> Iterator[object]:
    """Headless Chromium driven by Debian's chromedriver (Selenium Manager is never asked to download)."""
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1280,1000", "--lang=zh-CN"):
        options.add_argument(flag)
    try:
        d = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    except WebDriverException as exc:
        reason = ((exc.msg or "").strip() or type(exc).__name__).splitlines()[0]
        pytest.fail(f"the browser test could not start {CHROMIUM} ({reason}); {MISSING}", pytrace=False)
    try:
        yield d
    finally:
        d.quit()


def _screenshot(driver, shot: Path, docs: Path) -> None:
    """Save the whole page as a PNG (into docs/ too with UPDATE_DOCS_SCREENSHOT=1)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(int(height) + 40, 4000))
    assert driver.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(shot, docs)
    driver.set_window_size(1280, 1000)



@contextmanager
def serving(settings) -> Iterator[str]:
    """Run the console as `python -m bot.review serve` would, in a thread; yield its base URL."""
    import uvicorn

    from bot.staff.web import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the console server did not start", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


async def _seed(assistant: Assistant, clock: Clock) -> None:
    """A week of traffic for the dashboard, ending now."""
    users = [Sender(user_id=500 + i, chat_id=500 + i) for i in range(6)]
    answered = ["青托申报", "科技小院怎么申请", "科普大使归哪个部门管，电话多少", "院士工作站怎么认定", "青托对年龄有什么要求"]
    for day in range(7):
        for n, user in enumerate(users[: 3 + day % 4]):
            replies = await assistant.text(user, answered[(day + n) % len(answered)])
            if n == 0:
                await assistant.press(user, press(replies, "👍"))
            if n == 1 and day % 3 == 0:
                await assistant.press(user, press(replies, "👎"))
        await assistant.text(users[0], "最美科技工作者")
        if day % 2:
            await assistant.text(users[1], "帮我写一首诗")
            await assistant.command(users[2], "check", "13")
        clock.now += 86400


async def test_staff_teach_and_undo_in_a_real_browser(settings, catalogue, searcher, flows, finder, tmp_path):
    require_browser()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    clock = Clock(time.time() - 7 * 86400)
    storage = Storage(settings.bot_db_path, clock=clock)
    await storage.open()
    assistant = Assistant(catalogue, searcher, flows, finder, storage, settings, clock=clock,
                          today=lambda: date.today())
    await assistant.start()
    try:
        await _seed(assistant, clock)
        clock.now = time.time()
        user, other = Sender(user_id=601, chat_id=601), Sender(user_id=602, chat_id=602)
        question, cat = "想咨询一下管科技馆讲解员那个事", "天津的共享单车怎么退押金"
        await assistant.press(user, "s|54")  # the card of 54 (科技小院), then a question the bot cannot answer
        assert not html(await assistant.text(user, question)).startswith("<b>52 ")
        await assistant.press(other, "s|13")
        await assistant.text(other, "那年龄呢")  # nothing of its own: it needs the 13 card before it
        await assistant.text(Sender(user_id=604, chat_id=604), cat)
        for text, context in ((cat, None), ("那年龄呢", "13")):  # queued as the chat queues what it could not answer
            await storage.inbox.enqueue(normalise(text), text, "unanswered", [], context_answer=context)

        with serving(settings) as base, chromium(tmp_path) as driver:
            wait = WebDriverWait(driver, WAIT)
            link = await signin.new_login_link(storage, base, "cli")
            driver.get(base + "/inbox")
            assert "请先登录" in driver.page_source
            driver.get(link)
            wait.until(EC.element_to_be_clickable((By.ID, "login"))).click()
            wait.until(EC.presence_of_element_located((By.ID, "tab-unanswered")))

            # The queued question, with the card the user had just seen.
            item = wait.until(EC.presence_of_element_located(
                (By.XPATH, f"//article[.//h3[text()='{question}']]")))
            assert "上一轮：54 推动天津科技小院建设" in item.text
            assert "离不开上一轮" not in item.text and not item.find_element(By.CSS_SELECTOR, ".pair-choice").is_displayed()
            follow = driver.find_element(By.XPATH, "//article[.//h3[text()='那年龄呢']]")
            assert "离不开上一轮的回答（13 实施天津市青年人才托举工程）" in follow.text
            assert "只在接着“13 实施天津市青年人才托举工程”问时关联（推荐）" in follow.text
            _screenshot(driver, tmp_path / "console-inbox.png", DOCS_SHOT.with_name("console-inbox.png"))
            item.find_element(By.CSS_SELECTOR, "input.service-input").send_keys("52", Keys.ESCAPE)
            item.find_element(By.CSS_SELECTOR, "form.link button.primary").click()
            wait.until(lambda d: "已关联到 52" in item.text)
            # Linked to the card it followed: taught in that context (the choice was made for it).
            follow.find_element(By.XPATH, ".//button[text()='关联到 13']").click()
            wait.until(lambda d: "只在接着" in follow.text)

            cat_item = driver.find_element(By.XPATH, f"//article[.//h3[text()='{cat}']]")
            cat_item.find_element(By.CSS_SELECTOR, "button.oos").click()
            wait.until(lambda d: "已标为范围外" in cat_item.text)

            await assistant.sync_taught()
            asker = Sender(user_id=603, chat_id=603)
            assert html(await assistant.text(asker, question)).startswith("<b>52 组织推荐全国科普教育基地</b>")
            assert "不在天津市科协科创服务资源清单的范围内" in html(await assistant.text(asker, cat))
            await assistant.press(asker, "s|13")
            assert html(await assistant.text(asker, "那年龄呢")).startswith("<b>13 实施天津市青年人才托举工程</b>")

            # The 试一试 box agrees with the bot.
            driver.get(base + "/try?q=" + question)
            result = wait.until(EC.presence_of_element_located((By.ID, "try-result")))
            assert "52 组织推荐全国科普教育基地" in result.text and "工作人员已关联" in result.text

            # Undo all three from the history page.
            driver.get(base + "/history")
            for _ in range(3):
                button = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "tr:not(.undone) button.undo")))
                row = button.find_element(By.XPATH, "./ancestor::tr")
                button.click()
                wait.until(lambda d, row=row: "undone" in (row.get_attribute("class") or ""))
            await assistant.sync_taught()
            assert not html(await assistant.text(asker, question)).startswith("<b>52 ")
            assert "不在天津市科协科创服务资源清单的范围内" not in html(await assistant.text(asker, cat))
            driver.get(base + "/inbox")
            wait.until(EC.presence_of_element_located((By.XPATH, f"//article[.//h3[text()='{question}']]")))

            # The dashboard, as staff see it.
            driver.get(base + "/dashboard?days=7")
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.chart rect")))
            _screenshot(driver, tmp_path / "console-dashboard.png", DOCS_SHOT)

            # On a phone the inbox stays usable: no sideways scrolling.
            driver.set_window_size(390, 844)
            driver.get(base + "/inbox")
            wait.until(EC.presence_of_element_located((By.ID, "tab-unanswered")))
            assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        await storage.close()
