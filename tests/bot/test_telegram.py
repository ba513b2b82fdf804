"""The real python-telegram-bot Application against the local fake Bot API, driven as users would.

Marked slow: each test starts the Application and waits on the fake API (retries and back-offs for real);
the default run keeps the first end-to-end check (test_telegram_smoke.py).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import replace

import pytest

from bot.transports.telegram_bot import Recent, serve
from tests.bot.conftest import webhook_bot
from tests.conftest import STAFF_ID, sent
from tests.fake_bot_api import BOT_USERNAME

pytestmark = pytest.mark.slow


async def settle(seconds=0.4):
    await asyncio.sleep(seconds)


def keyboard(call):
    return [b for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_command_menu_is_set_at_start(running_bot):
    commands = running_bot.calls("setMyCommands")[0].params["commands"]
    assert [c["command"] for c in commands] == ["start", "help", "browse", "check", "policy", "contact", "hot",
                                                "cancel"]


async def test_text_gets_html_card_with_phone_and_buttons(running_bot):
    api = running_bot
    api.send_text("科普大使归哪个部门管，电话多少", user_id=201)
    msg = (await sent(api, 201))[0]
    assert msg.params["parse_mode"] == "HTML"
    assert "<b>57 评聘天津科普大使</b>" in msg.params["text"] and "022-27128948" in msg.params["text"]
    labels = [b["text"] for b in keyboard(msg)]
    assert "📝 怎么申请" in labels and "👍 有帮助" in labels
    assert "📋 全部条件" not in labels  # 57 prints no 申报条件: no button for what the entry lacks


async def test_button_press_is_answered_and_shows_section(running_bot):
    api = running_bot
    api.send_text("青托申报", user_id=202)
    card = (await sent(api, 202))[0]
    data = next(b["callback_data"] for b in keyboard(card) if b["text"] == "📋 全部条件")
    api.press(data, message={"message_id": 5000, "date": 0, "chat": {"id": 202, "type": "private"}, "text": "…"},
              user_id=202)
    section = (await sent(api, 202, 2))[1]
    assert "（四）应有不少于3名具有正高级职称的同行专家进行推荐" in section.params["text"]
    assert api.calls("answerCallbackQuery")


async def test_button_pressed_twice_is_handled_once(running_bot):
    api = running_bot
    message = {"message_id": 6000, "date": 0, "chat": {"id": 203, "type": "private"}, "text": "…"}
    api.press("sec|13|cond", message=message, user_id=203)
    api.press("sec|13|cond", message=message, user_id=203)
    await sent(api, 203)
    await settle()
    assert len(api.sent(203)) == 1
    assert len(api.calls("answerCallbackQuery")) == 2  # both presses answered, one handled


async def test_forged_callback_is_answered_and_changes_nothing(running_bot, storage):
    api = running_bot
    api.press("rk|0123456789|13", user_id=204)
    api.press("<script>", user_id=204)
    await asyncio.to_thread(api.wait_for, lambda: len(api.calls("answerCallbackQuery")) >= 2)
    await settle()
    assert api.sent(204) == []
    answers = [c.params.get("text") for c in api.calls("answerCallbackQuery")]
    assert "此命令仅限工作人员使用。" in answers
    assert await storage.taught.aliases() == []


@pytest.mark.parametrize("extra", [
    {"sticker": {"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1, "is_animated": False,
                 "is_video": False, "type": "regular"}},
    {"location": {"latitude": 39.1, "longitude": 117.2}},
    {"photo": [{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]},
])
async def test_non_text_messages_get_one_friendly_line(running_bot, extra):
    api = running_bot
    api.send_text(None, user_id=205, **extra)
    msg = (await sent(api, 205))[0]
    assert "只能阅读文字" in msg.params["text"]


async def test_group_answers_only_mentions_and_commands(running_bot):
    api = running_bot
    api.send_text("青托申报", user_id=206, chat_id=-100206, chat_type="supergroup")
    api.send_text(f"@{BOT_USERNAME} 科技小院怎么申请", user_id=206, chat_id=-100206, chat_type="supergroup",
                  entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}])
    msg = (await sent(api, -100206))[0]
    assert "54 推动天津科技小院建设" in msg.params["text"]
    await settle()
    answered = len(api.sent(-100206))  # the card (and the policy measure it carries out, when one is likely)
    api.send_text("/help", user_id=206, chat_id=-100206, chat_type="supergroup")
    await sent(api, -100206, answered + 1)
    await settle()
    assert len(api.sent(-100206)) == answered + 1  # 青托申报, not addressed to the bot, got nothing


async def test_unknown_command_and_bad_text(running_bot):
    api = running_bot
    api.send_text("/frobnicate", user_id=207)
    api.send_text("   ", user_id=208)
    api.send_text("<b>&amp;</b>\u202e" * 300, user_id=209)
    assert "没有这个命令" in (await sent(api, 207))[0].params["text"]
    assert "请输入您想咨询的问题" in (await sent(api, 208))[0].params["text"]
    reply = (await sent(api, 209))[0].params["text"]
    assert "<b>&amp;" not in reply


async def test_rate_limit_is_retried(running_bot):
    api = running_bot
    api.fail("sendMessage", "429", retry_after=1)
    start = time.monotonic()
    api.send_text("青托申报", user_id=210)
    msg = (await sent(api, 210))[0]
    assert "022-27122522" in msg.params["text"] and time.monotonic() - start >= 0.9


async def test_server_errors_are_retried(running_bot):
    api = running_bot
    api.fail("sendMessage", "500", times=2)
    api.send_text("科技小院", user_id=211)
    assert "54 推动天津科技小院建设" in (await sent(api, 211))[0].params["text"]


async def test_polling_recovers_after_errors(running_bot):
    api = running_bot
    api.fail("getUpdates", "500", times=2)
    api.send_text("科技小院", user_id=212)
    assert (await sent(api, 212, timeout=15))[0]


async def test_duplicate_update_is_handled_once(running_bot):
    api = running_bot
    update = api.message_update("青托申报", user_id=213)
    api.push(dict(update))
    await sent(api, 213)
    api.push(dict(update))  # delivered again with the same update_id
    await settle()
    assert len(api.sent(213)) == 1


async def test_concurrent_chats_do_not_wait_on_each_other(running_bot):
    api = running_bot
    api.fail("sendMessage", "slow", delay=1.5)
    api.send_text("青托申报", user_id=214)
    await asyncio.sleep(0.2)
    api.send_text("科技小院", user_id=215)
    fast = (await sent(api, 215))[0]
    slow = (await sent(api, 214))[0]
    assert fast.at < slow.at


async def test_many_chats_at_once_are_all_answered(running_bot):
    api = running_bot
    for i in range(40):
        api.send_text(["青托申报", "科技小院", "天津明天会下雨吗", "创交会"][i % 4], user_id=3000 + i)
    await asyncio.to_thread(api.wait_for, lambda: all(api.sent(3000 + i) for i in range(40)), 20)


async def test_errors_get_an_apology_and_the_bot_keeps_going(running_bot, assistant, monkeypatch):
    api = running_bot
    original = assistant.text

    async def boom(sender, text, **kw):
        if text == "触发错误":
            raise RuntimeError("boom")
        return await original(sender, text, **kw)

    monkeypatch.setattr(assistant, "text", boom)
    api.send_text("触发错误", user_id=216)
    assert "出了点问题" in (await sent(api, 216))[0].params["text"]
    api.send_text("科技小院", user_id=216)
    assert "54 推动" in (await sent(api, 216, 2))[1].params["text"]


async def test_staff_reply_is_delivered_to_the_user_chat(running_bot):
    api = running_bot
    api.send_text("天津明天会下雨吗", user_id=217)
    card = (await sent(api, 217))[0]
    handoff = next(b["callback_data"] for b in keyboard(card) if "留言" in b["text"])
    api.press(handoff, user_id=217)
    await sent(api, 217, 2)
    api.send_text("请问科协周末上班吗", user_id=217)
    await sent(api, 217, 3)
    api.send_text("/review", user_id=STAFF_ID)
    review = (await sent(api, STAFF_ID))[0]
    reply_button = next(b["callback_data"] for b in keyboard(review) if b["text"].startswith("回复留言"))
    api.press(reply_button, user_id=STAFF_ID)
    await sent(api, STAFF_ID, 2)
    api.send_text("周末不上班，请工作日来电。", user_id=STAFF_ID)
    delivered = (await sent(api, 217, 4))[3].params["text"]
    assert "【工作人员回复】" in delivered and "周末不上班" in delivered


async def test_second_instance_gets_a_clear_message_not_a_loop(assistant, settings, fake_api, capsys):
    cfg = replace(settings, telegram_api_base_url=fake_api.base_url)
    fake_api.fail("getUpdates", "conflict", times=50)
    status = await asyncio.wait_for(serve(cfg, assistant, asyncio.Event()), 20)
    assert status == 3
    assert "another instance is already polling" in capsys.readouterr().out
    assert len([c for c in fake_api.state.faults["getUpdates"]]) > 40  # it stopped instead of looping




def _post(url: str, update: dict, secret: str) -> int:
    req = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          "X-Telegram-Bot-Api-Secret-Token": secret})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def test_webhook_checks_secret_and_handles_duplicates_once(assistant, settings, fake_api):
    async with webhook_bot(assistant, settings, fake_api) as (port, task):
        await asyncio.to_thread(fake_api.wait_for, lambda: fake_api.calls("setWebhook"), 10)
        assert fake_api.calls("setWebhook")[0].params["secret_token"] == "s3cret_token"
        url = f"http://127.0.0.1:{port}/hook"
        update = fake_api.message_update("青托申报", user_id=218)
        assert await asyncio.to_thread(_post, url, update, "wrong") == 403
        assert await asyncio.to_thread(_post, url, update, "s3cret_token") == 200
        assert await asyncio.to_thread(_post, url, update, "s3cret_token") == 200  # Telegram retried
        await sent(fake_api, 218)
        await settle()
        assert len(fake_api.sent(218)) == 1


def test_recent_forgets_after_ttl():
    r = Recent(size=3, ttl=10)
    assert not r.seen("a", now=0) and r.seen("a", now=5) and not r.seen("a", now=20)
    for k in "bcde":
        r.seen(k, now=21)
    assert not r.seen("b", now=22)  # pushed out by size


async def test_link_from_the_command_line_reaches_the_running_bot(running_bot, storage, monkeypatch):
    from bot import review

    api = running_bot
    question = "想咨询一下管科技馆讲解员那个事"
    api.send_text(question, user_id=219)
    first = (await sent(api, 219))[0].params["text"]
    assert not first.startswith("<b>52 ")
    monkeypatch.setenv("BOT_DB_PATH", storage.path)
    item = (await storage.inbox.review_items())[0]
    assert await asyncio.to_thread(review.main, ["link", item.id, "52"]) == 0
    deadline = time.monotonic() + 10
    while True:  # BOT_SYNC_SECONDS is 1 in the tests
        api.send_text(question, user_id=219)
        count = len(api.sent(219)) + 1
        reply = (await sent(api, 219, count))[-1].params["text"]
        if reply.startswith("<b>52 组织推荐全国科普教育基地</b>") or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert reply.startswith("<b>52 组织推荐全国科普教育基地</b>")


async def test_edited_message_is_not_answered_again(running_bot):
    api = running_bot
    update = api.message_update("青托申报", user_id=220)
    api.push(update)
    await sent(api, 220)
    edited = {"update_id": update["update_id"] + 10_000,
              "edited_message": {**update["message"], "text": "科技小院", "edit_date": int(time.time())}}
    api.push(edited)
    await settle()
    assert len(api.sent(220)) == 1
