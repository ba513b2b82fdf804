"""The assistant core as a user meets it: cards, follow-ups, suggestions, bad input, checks, hand-off."""

from __future__ import annotations

import pytest

from bot.chat.core import Assistant
from tests.conftest import STAFF, USER, html


def buttons(replies) -> dict[str, str]:
    return {b.label: b.data for r in replies for b in r.choices()}


def button(replies, starts: str) -> str:
    return next(data for label, data in buttons(replies).items() if label.startswith(starts))


async def test_answer_card_leads_with_asked_part_and_gives_phone(assistant):
    replies = await assistant.text(USER, "青托对年龄有什么要求")
    text = html(replies)
    assert text.startswith("<b>13 实施天津市青年人才托举工程</b>")
    # It leads with the entry's own sentence on age, quoted, before the introduction.
    assert text.index("「（二）年龄在32岁以下") < text.index("项目介绍")
    assert "市科协学会学术部（院士专家部）" in text and "022-27122522" in text
    labels = buttons(replies)
    assert {"📋 全部条件", "✅ 检查我是否符合条件", "👍 有帮助", "👎 没帮助"} <= set(labels)
    assert "☎️ 联系方式" not in labels  # the card ends with the whole contact block


async def test_contact_question_leads_with_department(assistant):
    text = html(await assistant.text(USER, "科普大使归哪个部门管，电话多少"))
    assert "57 评聘天津科普大使" in text
    assert text.index("联系部门") < text.index("项目介绍") and "022-27128948" in text


async def test_every_card_names_department_and_phone(assistant, catalogue):
    for s in catalogue.services:
        text = html(await assistant.press(USER, f"s|{s.id}"))
        assert s.contact.department in text and s.contact.phones[0] in text, s.id


async def test_follow_up_refers_to_the_service_just_shown(assistant):
    await assistant.text(USER, "科技小院")
    text = html(await assistant.text(USER, "电话多少"))
    assert "54 推动天津科技小院建设" in text and "022-27128948" in text
    text = html(await assistant.text(USER, "怎么申请"))
    assert "申请流程" in text and "市农技协" in text


async def test_no_answer_offers_browse_switchboard_and_logs(assistant, storage):
    replies = await assistant.text(USER, "天津明天会下雨吗")
    text = html(replies)
    assert "022-27126422" in text and "/browse" in text
    assert "✉️ 留言给工作人员" in buttons(replies)
    items = await storage.inbox.review_items()
    assert [i.sample for i in items] == ["天津明天会下雨吗"]


async def test_suggestions_and_none_of_these(assistant, storage):
    # Two services share the name: the likelier one is shown marked as a guess, the other offered beside it.
    replies = await assistant.text(USER, "最美科技工作者")
    text = html(replies)
    assert "您可能想问" in text and "不一定准确" in text
    shown = [line for line in text.splitlines() if line.startswith("<b>") and "最美科技工作者" in line]
    labels = list(buttons(replies))
    named = {line[3:5] for line in shown} | {l[:2] for l in labels if l[:2].isdigit()}
    assert {"05", "15"} <= named
    none = button(replies, "都不是")
    replies = await assistant.press(USER, none)
    assert "已记下" in html(replies)
    assert (await storage.inbox.review_items())[0].kinds == ("none",)
    again = await assistant.press(USER, none)
    assert again[0].notice and await storage.inbox.review_count() == 1


async def test_choosing_a_suggestion_shows_its_card(assistant, storage):
    replies = await assistant.text(USER, "最美科技工作者")
    other = next(label for label in buttons(replies) if label[:3] in ("05 ", "15 "))
    card = html(await assistant.press(USER, button(replies, other[:3])))
    assert other[:2] + " " in card and "最美科技工作者" in card
    assert "联系电话" in card and "022-" in card


async def test_thumbs_down_enters_queue_once(assistant, storage):
    replies = await assistant.text(USER, "青托申报")
    down = button(replies, "👎")
    first = await assistant.press(USER, down)
    second = await assistant.press(USER, down)
    assert "留言给工作人员" in buttons(first) or "✉️ 留言给工作人员" in buttons(first)
    assert second[0].notice == "已收到您的反馈。"
    items = await storage.inbox.review_items()
    assert len(items) == 1 and items[0].kinds == ("down",) and items[0].count == 1


@pytest.mark.parametrize("text,expect", [
    ("", "请输入您想咨询的问题"),
    ("   \n\t ", "请输入您想咨询的问题"),
    ("\u202e\u200b\x00", "请输入您想咨询的问题"),
    ("青" * 5000, "有点长"),
    ("😀😀😀", "请输入您想咨询的问题"),
])
async def test_bad_input_gets_a_clear_reply(assistant, storage, text, expect):
    replies = await assistant.text(USER, text)
    assert expect in html(replies)


async def test_html_and_sql_looking_text_is_escaped_and_harmless(assistant, storage):
    evil = "<b>青托</b> & <script>alert(1)</script>'; DROP TABLE queries; --"
    replies = await assistant.text(USER, evil)
    for r in replies:
        assert "<script>" not in r.html
    await assistant.text(USER, "天津明天会下雨吗 <i>x</i>")
    assert await storage.inbox.review_count() >= 1
    assert (await storage.stats.stats(1))["questions"] == 2


async def test_forged_and_stale_buttons_change_nothing(assistant, storage):
    for data in ["", "garbage", "s|99", "s|01|extra", "rk|0123456789|13", "a|nope|x|y", "x" * 80, None]:
        replies = await assistant.press(USER, data)
        assert replies[0].notice, data
    assert await storage.inbox.review_count() == 0 and await storage.taught.aliases() == []


async def test_staff_commands_and_buttons_refused_to_others(assistant, storage):
    assert "仅限工作人员" in html(await assistant.command(USER, "review"))
    assert "仅限工作人员" in html(await assistant.command(USER, "stats"))
    await assistant.text(USER, "天津明天会下雨吗")
    item = (await storage.inbox.review_items())[0]
    refused = await assistant.press(USER, f"rk|{item.id}|13")
    assert refused[0].notice == "此命令仅限工作人员使用。" and not refused[0].html
    assert await storage.taught.aliases() == [] and (await storage.inbox.review_item(item.id)).status == "pending"


async def test_unknown_command(assistant):
    assert "没有这个命令" in html(await assistant.command(USER, "frobnicate"))


async def test_start_help_and_deep_link(assistant):
    start = await assistant.command(USER, "start")
    # The examples are shown once: as the buttons to try them, not also as a list above them.
    assert "科创服务助手" in html(start) and "青托对年龄有什么要求" not in html(start)
    assert "青托对年龄有什么要求" in buttons(start)
    deep = await assistant.command(USER, "start", "s13")
    assert "13 实施天津市青年人才托举工程" in html(deep)
    assert "/check" in html(await assistant.command(USER, "help"))


async def test_browse_part_section_service(assistant):
    root = await assistant.command(USER, "browse")
    part = await assistant.press(USER, button(root, "第二部分"))
    section = await assistant.press(USER, button(part, "促进科技创业"))
    assert section[0].edit
    card = await assistant.press(USER, button(section, "41 "))
    assert "创交会" in html(card) and "022-27121449" in html(card)


async def test_contact_directory_gives_each_number_with_what_it_is_for(assistant, catalogue):
    replies = await assistant.command(USER, "contact")
    text = html(replies)
    assert len(replies) == 1 and len(text) < 1400  # it was 1,808 characters: every service's full title
    lines = text.split("\n")
    # Under a department, one line per number (or pair of numbers) as the entries print them, with the
    # services (number and short name) that print it: 科创部's 38 services under its three numbers.
    kcb = lines[lines.index("<b>市科协科创部（企事业部）</b>") + 1:]
    kcb = kcb[:kcb.index("")]
    assert [line.split("：")[0] for line in kcb] == ["☎ 022-27114778", "☎ 022-27121449", "☎ 022-27124778"]
    assert kcb[2] == "☎ 022-27124778：07 中国工程师联合体"
    assert "13 青年人才托举工程" in next(line for line in lines if line.startswith("☎ 022-27122522："))
    printed = {}  # service id → the numbers on its line
    for line in lines:
        if line.startswith("☎ "):
            phones, services = line.removeprefix("☎ ").split("：")
            for entry in services.split("、"):
                assert entry[:2] not in printed, entry  # every service once
                printed[entry[:2]] = set(phones.split("、"))
    assert printed == {s.id: set(s.contact.phones) for s in catalogue.services}
    assert "不知道找哪个部门：天津市科协 022-27126422" in text


async def test_check_runs_with_buttons_and_gives_verdict_with_contact(assistant, storage):
    replies = await assistant.command(USER, "check", "13")
    assert "第 1 题" in html(replies)
    replies = await assistant.press(USER, button(replies, "是"))
    replies = await assistant.press(USER, button(replies, "否"))
    text = html(replies)
    assert "不符合" in text and "全职在天津" in text and "022-27122522" in text
    stats = await storage.stats.stats(1)
    assert stats["verdicts"] == {"不符合": 1} and stats["flow_events"]["start"] == 1


async def test_invalid_typed_answer_reasks_with_message(assistant):
    await assistant.command(USER, "check", "13")
    await assistant.text(USER, "是")
    await assistant.text(USER, "是")
    replies = await assistant.text(USER, "不告诉你")
    assert "请输入数字年龄，例如 30" in html(replies) and "第 3 题" in html(replies)


async def test_back_and_cancel(assistant):
    replies = await assistant.command(USER, "check", "13")
    replies = await assistant.press(USER, button(replies, "是"))
    replies = await assistant.press(USER, button(replies, "⬅️"))
    assert "第 1 题" in html(replies)
    replies = await assistant.text(USER, "取消")
    assert "已退出资格自查" in html(replies)
    assert "目前没有进行中的" in html(await assistant.command(USER, "cancel"))


async def test_stale_answer_button_reasks_current_question(assistant):
    first = await assistant.command(USER, "check", "13")
    yes = button(first, "是")
    await assistant.press(USER, yes)
    replies = await assistant.press(USER, yes)  # pressed again on the old question
    assert "已经回答过" in html(replies) and "第 2 题" in html(replies)


async def test_question_typed_mid_check_is_answered_and_check_resumes(assistant):
    await assistant.command(USER, "check", "13")
    replies = await assistant.text(USER, "科普大使归哪个部门管")
    assert "57 评聘天津科普大使" in html(replies)
    resume = button(replies, "▶️ 继续自查")
    assert "第 1 题" in html(await assistant.press(USER, resume))


async def test_check_survives_a_restart(assistant, catalogue, searcher, flows, finder, storage, settings, clock):
    replies = await assistant.command(USER, "check", "13")
    await assistant.press(USER, button(replies, "是"))
    restarted = Assistant(catalogue, searcher, flows, finder, storage, settings, clock=clock,
                          today=assistant.today)
    await restarted.start()
    replies = await restarted.text(USER, "是")
    assert "第 3 题" in html(replies) and "周岁" in html(replies)


async def test_stale_check_expires_with_notice(assistant, clock, storage):
    await assistant.command(USER, "check", "13")
    clock.now += 31 * 60
    replies = await assistant.text(USER, "是")
    assert "超过 30 分钟" in html(replies)
    assert (await storage.stats.stats(1))["flow_events"].get("expire") == 1


async def test_check_for_service_without_conditions_shows_card(assistant):
    text = html(await assistant.command(USER, "check", "29"))
    assert "没有可自查的申报条件" in text and "蝌蚪众传" in text
    assert "没有编号为" in html(await assistant.command(USER, "check", "abc"))


async def test_finder_lists_services_as_buttons(assistant):
    replies = await assistant.press(USER, "k|finder")
    replies = await assistant.press(USER, button(replies, "企业"))
    replies = await assistant.press(USER, button(replies, "企业科协建设"))
    labels = buttons(replies)
    assert any(l.startswith("68 ") for l in labels) and any("企业科协" in l for l in labels)


async def test_handoff_ticket_reaches_staff_and_reply_is_delivered(assistant, storage):
    replies = await assistant.text(USER, "天津明天会下雨吗")
    await assistant.press(USER, button(replies, "✉️"))
    done = await assistant.text(USER, "我想咨询科协大楼的停车安排")
    assert "已转给工作人员" in html(done)
    review = await assistant.command(STAFF, "review")
    assert "我想咨询科协大楼的停车安排" in html(review)
    prompt = await assistant.press(STAFF, button(review, "回复留言"))
    assert "请发送给用户的回复" in html(prompt)
    sent = await assistant.text(STAFF, "停车请走南门。")
    delivered = [r for r in sent if r.chat_id == USER.chat_id]
    assert delivered and "【工作人员回复】" in delivered[0].html and "停车请走南门。" in delivered[0].html
    assert (await storage.tickets.tickets())[0:1] == []  # answered, no longer open


async def test_staff_link_teaches_immediately_and_unlink_reverts(assistant, storage, fresh_searcher):
    assistant.searcher = assistant.base_searcher = fresh_searcher
    question = "想咨询一下管科技馆讲解员那个事"
    first = await assistant.text(USER, question)
    assert "52 组织推荐全国科普教育基地" not in html(first)
    review = await assistant.command(STAFF, "review")
    menu = await assistant.press(STAFF, button(review, "关联 #1"))
    search = await assistant.press(STAFF, button(menu, "🔍"))
    assert "关键词或服务编号" in html(search)
    picks = await assistant.text(STAFF, "52")
    linked = await assistant.press(STAFF, button(picks, "52 "))
    assert "已把" in html(linked)
    answered = await assistant.text(USER, question)
    assert html(answered).startswith("<b>52 组织推荐全国科普教育基地</b>")
    unlinked = await assistant.press(STAFF, button(linked, "撤销关联"))
    assert "已撤销关联" in html(unlinked)
    assert not html(await assistant.text(USER, question)).startswith("<b>52 ")


async def test_dismiss_and_stats(assistant, storage):
    await assistant.text(USER, "想咨询一下管科技馆讲解员那个事")
    await assistant.text(USER, "青托申报")
    review = await assistant.command(STAFF, "review")
    await assistant.press(STAFF, button(review, "忽略 #1"))
    assert await storage.inbox.review_count() == 0
    stats = html(await assistant.command(STAFF, "stats", "7"))
    assert "提问 2 次" in stats and "13 实施天津市青年人才托举工程" in stats
    assert "用法" in html(await assistant.command(STAFF, "stats", "abc"))


async def test_hot_services(assistant):
    from bot.chat.replies import Sender

    for i in range(3):
        await assistant.text(Sender(user_id=400 + i, chat_id=400 + i), "青托申报")
    hot = await assistant.command(USER, "hot")
    assert any(l.startswith("13 ") for l in buttons(hot))
    start = await assistant.command(USER, "start")
    assert "最近大家常问" in html(start)


async def test_appendix_cards(assistant):
    text = html(await assistant.text(USER, "天津有人工智能学会吗"))
    assert "天津市人工智能学会" in text or "学会" in text
    societies = await assistant.press(USER, "s|societies")
    assert "147" in html(societies) and "022-27122522" in html(societies)
    replies = await assistant.text(USER, "企业科协的活动经费从哪儿来")
    if "您是不是想问" in html(replies):  # a suggestion first: the rules are the first choice
        replies = await assistant.press(USER, button(replies, "《企业科学技术协会组织通则》"))
    rules = html(replies)
    assert "第四十条" in rules and "022-27121449" in rules
    tast = html(await assistant.press(USER, "s|tast"))
    assert "和平路287号" in tast and "022-27126422" in tast


def test_button_data_fits_telegram(assistant, catalogue):

    longest = max((f.id for f in assistant.flows.values()), key=len)
    data = assistant.router.encode("a", longest, "relaxed_group", "unsure")
    assert len(data.encode()) <= 64 and assistant.router.decode(data)


async def test_each_decision_is_logged_with_hits_and_shown_service(assistant, storage):
    await assistant.text(USER, "科技小院怎么申请")       # answered
    await assistant.text(USER, "最美科技工作者")         # suggest
    await assistant.text(USER, "天津明天会下雨吗")       # unanswered
    rows = {r["text"]: r for r in await storage.stats.export_rows()}
    assert rows["科技小院怎么申请"]["decision"] == "answered" and rows["科技小院怎么申请"]["shown"] == "54"
    assert rows["最美科技工作者"]["decision"] == "suggest" and rows["最美科技工作者"]["shown"] is None
    assert rows["天津明天会下雨吗"]["decision"] == "unanswered"
    assert '"54"' in rows["科技小院怎么申请"]["hits"]
    raw = await storage.database.read("SELECT user_key, chat_type FROM queries")
    assert all(key != str(USER.user_id) and len(key) == 24 for key, _ in raw)  # pseudonymous, no raw ids


async def test_long_messages_never_exceed_telegram_limit(assistant, catalogue):
    from bot.chat.replies import TELEGRAM_LIMIT

    for s in catalogue.services:
        for which in ("full", "cond", "apply"):
            for r in await assistant.press(USER, f"sec|{s.id}|{which}"):
                assert len(r.html) <= TELEGRAM_LIMIT
    for r in await assistant.command(USER, "contact"):
        assert len(r.html) <= TELEGRAM_LIMIT
    card = await assistant.text(USER, "全国创新争先奖的评选标准与条件")
    assert all(len(r.html) <= TELEGRAM_LIMIT for r in card)
    assert "查看全部" in card[0].html or "📋 全部条件" in buttons(card)


async def test_stats_show_feedback_ratio(assistant, storage):
    replies = await assistant.text(USER, "科技小院")
    await assistant.press(USER, button(replies, "👍"))
    text = html(await assistant.command(STAFF, "stats"))
    assert "好评率 100%" in text
