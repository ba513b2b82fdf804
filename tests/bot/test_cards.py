"""What a card says and offers: only what was asked is said to be missing, once; nothing shown twice; no button
for what the card already shows or the entry does not print. Small talk and the order of a self-description's
list and its note."""

from __future__ import annotations

import io

import pytest

from bot.transports.console import run_console
from tests.conftest import USER, html, labels


class Piped(io.StringIO):
    def isatty(self) -> bool:
        return False


async def test_asking_the_conditions_to_apply_is_not_told_the_way_to_apply_is_missing(assistant):
    text = html(await assistant.text(USER, "青拖申报要啥条件"))
    assert "年龄在32岁以下" in text and "申报方式" not in text


async def test_what_the_entry_does_not_print_is_said_once(assistant):
    text = html(await assistant.text(USER, "天津青年科技奖怎么申报 要交多少钱"))
    assert text.count("清单中这项服务没有写") == 1


async def test_the_sentence_quoted_as_the_answer_is_not_repeated_as_the_introduction(assistant):
    for question in ("科技创新智库是做什么的", "院士工作站主要工作内容是什么"):
        text = html(await assistant.text(USER, question))
        if "清单原文" in text:
            quoted = text.split("「", 1)[1].split("」", 1)[0]
            assert text.count(quoted[:30]) == 1


async def test_a_card_offers_no_button_for_what_it_shows_or_the_entry_lacks(assistant):
    replies = await assistant.text(USER, "天津青年科技奖")
    shown = labels(replies)
    assert "12 评选天津青年科技奖" in html(replies) and "022-" in html(replies)
    assert not any("联系方式" in label for label in shown)  # the card ends with the whole contact block
    assert assistant.catalogue.by_id["12"].conditions is None
    assert not any("全部条件" in label for label in shown)
    replies = await assistant.text(USER, "青托")
    assert any("全部条件" in label for label in labels(replies))


@pytest.mark.parametrize("thanks", ["谢谢啦", "谢谢", "好的谢谢", "多谢了"])
async def test_thanks_is_small_talk_and_never_reaches_staff(assistant, storage, thanks):
    text = html(await assistant.text(USER, thanks))
    assert "没有找到" not in text and "不客气" in text
    assert not [i for i in await storage.inbox.review_items() if i.queue == "unanswered"]


async def test_a_self_descriptions_note_about_what_was_left_out_follows_the_list(assistant):
    stdout = io.StringIO()
    await run_console(assistant, Piped("我36岁，在天津一所大学当讲师，能申请什么人才项目\n"), stdout)
    out = stdout.getvalue()
    assert "没有列在上面" in out
    assert out.index("[39]") < out.index("没有列在上面")
