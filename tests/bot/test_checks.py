"""Eligibility checks as a user meets them in the chat: answers read as typed, questions mid-check, verdicts."""

from __future__ import annotations

import io

from bot.transports.console import ConsoleChat
from tests.conftest import USER, html, labels, press


async def answer_all(assistant, answers: list[str]):
    replies = []
    for a in answers:
        replies = await assistant.text(USER, a)
    return replies


async def test_phone_asked_mid_check_is_answered_about_the_check_and_it_resumes(assistant):
    await assistant.command(USER, "check", "13")
    replies = await assistant.text(USER, "电话多少")
    text = html(replies)
    assert "022-27122522" in text and "请回答" not in text
    assert "▶️ 继续自查（第 1 题）" in labels(replies)
    resumed = await assistant.press(USER, press(replies, "▶️"))
    assert "第 1 题" in html(resumed)


async def test_phone_after_a_verdict_is_about_that_service(assistant):
    await assistant.command(USER, "check", "13")
    await assistant.text(USER, "否")  # not a citizen: ❌ at once
    text = html(await assistant.text(USER, "电话多少"))
    assert "13 实施天津市青年人才托举工程" in text and "022-27122522" in text


async def test_a_partial_date_is_an_answer_not_a_search(assistant):
    await assistant.command(USER, "check", "02")
    await assistant.text(USER, "是")
    await assistant.text(USER, "男")
    replies = await assistant.text(USER, "1988年5月")
    assert "第 4 题" in html(replies) and "继续自查" not in html(replies)


async def test_impossible_date_gets_a_specific_reask_and_stays_in_the_check(assistant):
    await assistant.command(USER, "check", "02")
    await assistant.text(USER, "是")
    await assistant.text(USER, "男")
    replies = await assistant.text(USER, "1990年13月5日")
    text = html(replies)
    assert "第 3 题" in text and "继续自查" not in text and "您是不是想问" not in text


async def test_age_verdict_says_on_which_date_and_what_age(assistant):
    await assistant.command(USER, "check", "02")
    replies = await answer_all(assistant, ["是", "男", "1980-05-01"])
    text = html(replies)
    assert "不符合" in text
    assert "年龄按 2026 年 12 月 31 日计算" in text and "满 46 周岁" in text
    assert "参考日期" not in text and "设置" not in text


async def test_in_post_is_not_read_as_not_in_post(assistant):
    await assistant.command(USER, "check", "56")
    replies = await assistant.text(USER, "是")
    text = html(replies)
    for _ in range(6):
        if "在职" in text and "不在职" in text:
            break
        replies = await assistant.text(USER, "是")
        text = html(replies)
    replies = await assistant.text(USER, "在职")
    assert "不符合" not in html(replies)


async def test_verdicts_quote_each_condition_once_and_end_with_next_step_and_phone(assistant, flows):
    await assistant.command(USER, "check", "39")
    replies = await answer_all(assistant, ["是", "30", "是", "是", "是", "是"])
    text = html(replies)
    assert "符合" in text
    quotes = [line for line in text.split("\n") if line.startswith("• ")]
    assert len(quotes) == len(set(quotes))
    assert "需要注意" in text  # the caveats of a ✅ are shown too
    assert "下一步" in text and "022-" in text


async def test_ended_cycle_does_not_invite_an_application(assistant):
    await assistant.command(USER, "check", "52")
    replies = await answer_all(assistant, ["是", "3", "1", "是", "是", "是"])
    text = html(replies)
    assert "需人工确认" in text and "已经结束" in text and "022-" in text


async def test_check_by_name(assistant):
    assert "青年人才托举工程" in html(await assistant.command(USER, "check", "青托"))
    assert "第 1 题" in html(await assistant.command(USER, "check", "科学传播职称"))
    assert "没有编号为" in html(await assistant.command(USER, "check", "天气预报"))


async def test_check_start_states_the_real_maximum(assistant, flows):
    text = html(await assistant.command(USER, "check", "13"))
    assert f"最多 {len(flows['youth_talent_lift'].questions)} 个问题" in text


async def test_finder_says_when_nothing_fits(assistant):
    replies = await assistant.press(USER, "k|finder")
    replies = await assistant.press(USER, press(replies, "社会公众"))
    replies = await assistant.press(USER, press(replies, "职称"))
    assert "没有专门面向" in html(replies) and not any(l[:2].isdigit() for l in labels(replies))


async def test_finder_does_not_offer_enterprise_only_services_to_individuals(assistant):
    replies = await assistant.press(USER, "k|finder")
    replies = await assistant.press(USER, press(replies, "科技工作者个人"))
    replies = await assistant.press(USER, press(replies, "人才计划"))
    assert not any(l.startswith(("08 ", "09 ")) for l in labels(replies))


async def test_console_number_answers_a_number_question(assistant):
    out = io.StringIO()
    console = ConsoleChat(assistant, out)
    console.show(await console.handle("/check 13"))
    for reply in ("是", "是", "30", "是", "否", "是"):  # citizen, full time, age, degree, not a student, front line
        console.show(await console.handle(reply))
    shown = out.getvalue().split("第 ")[-1]
    assert "推荐您的" in shown and "[a] ⬅️ 上一步" in shown and "[1]" not in shown
    replies = await console.handle("1")  # one referee: the number, not the first button
    assert "不符合" in html(replies) and "3名" in html(replies)


async def test_waiting_for_a_message_offers_cancel_not_leave_check(assistant):
    replies = await assistant.text(USER, "天津明天会下雨吗")
    prompt = await assistant.press(USER, press(replies, "✉️"))
    assert labels(prompt) == ["✖️ 取消"]


async def test_after_the_check_list_a_typed_number_or_name_starts_that_check(assistant):
    for typed in ("13", "青托", "青年人才托举工程"):
        await assistant.command(USER, "check")
        text = html(await assistant.text(USER, typed))
        assert "青年人才托举工程（青托）资格自查" in text and "第 1 题" in text, typed
        await assistant.command(USER, "cancel")
    await assistant.command(USER, "check")
    text = html(await assistant.text(USER, "19"))  # a service without a check: as /check 19 says
    assert "第 19 项服务没有可自查的申报条件" in text
    await assistant.command(USER, "check")
    text = html(await assistant.text(USER, "科普大使归哪个部门管，电话多少"))  # anything else is a question
    assert "资格自查" not in text and "022-27128948" in text


async def test_a_verdict_says_what_to_do_next_and_on_which_date_ages_count(assistant):
    # 13 prints no 申报方式, only 评选周期 每年一次; its check asks an age in years.
    await assistant.command(USER, "check", "13")
    replies = await answer_all(assistant, ["是", "是", "30", "是", "否", "是", "3", "是", "否", "是"])
    text = html(replies)
    assert "符合" in text
    after = text[text.index("<b>下一步</b>"):]
    assert after.startswith("<b>下一步</b>\n清单没有写申报方式：请向下面的联系部门询问本轮的申报时间、方式和所需材料。\n"
                            "<b>评选周期</b>：每年一次")
    assert "年龄按 2026 年 12 月 31 日计算（市科协为本轮评选设定的计算日期），按您回答的 30 周岁判断；" \
           "如果到那天您已满 31 周岁，请按 31 岁重新自查。" in text  # today is 2026-11-22 here
    assert "022-27122522" in after


async def test_natural_answers_with_a_detail_are_read_not_asked_again(assistant):
    await assistant.command(USER, "check", "13")
    typed = ["对，中国人", "对的 在南开大学全职", "30", "我是博士毕业", "不是，已经工作了", "那当然", "3", "是", "否", "那当然"]
    for number, reply in enumerate(typed, start=2):
        text = html(await assistant.text(USER, reply))
        assert "请回答" not in text and "继续自查" not in text, reply
        assert f"第 {number} 题" in text or "初步判断：符合" in text, (reply, text[:80])
    assert "初步判断：符合" in text
