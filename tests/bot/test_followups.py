"""Follow-ups after a card, as people type them: a word or two about the service just shown."""

from __future__ import annotations

import pytest

from bot.followups import FOLLOWUP_SECONDS, FOLLOWUP_TURNS
from tests.conftest import USER

QINGTUO = "13 实施天津市青年人才托举工程"


def html(replies) -> str:
    return "\n".join(r.html for r in replies)


def labels(replies) -> list[str]:
    return [b.label for r in replies for b in r.choices()]


async def ask(assistant, *questions: str) -> str:
    replies = []
    for q in questions:
        replies = await assistant.text(USER, q)
    return html(replies)


@pytest.mark.parametrize("followup,quoted", [
    ("有年龄限制吗", "年龄在32岁以下"),
    ("年龄限制", "年龄在32岁以下"),
    ("资助多少", "每人每年15万元"),
    ("女的能放宽吗", "女性或医学临床领域的年龄可适当放宽1-2岁"),
])
async def test_a_followup_is_answered_about_the_last_card_leading_with_the_sentence(assistant, followup, quoted):
    text = await ask(assistant, "青托", followup)
    assert "接着问的是“实施天津市青年人才托举工程”" in text
    assert QINGTUO in text and "022-27122522" in text
    # The quoted sentence comes before the card's general introduction.
    assert quoted in text and text.index(quoted) < text.index("项目介绍")


async def test_a_followup_the_entry_does_not_answer_says_so_and_gives_the_phone(assistant):
    text = await ask(assistant, "青托", "几月份报名")
    assert "清单中这项服务没有写具体时间" in text and "022-27122522" in text
    # 2017年8月 dates the policy document; it is not when to apply.
    assert "「为进一步加强" not in text


async def test_who_may_take_part_is_read_under_the_entrys_own_heading(assistant):
    text = await ask(assistant, "科学传播作品大赛", "学生可以参加吗")
    assert "接着问的是“组织天津市科学传播作品大赛”" in text
    assert "「来自各区" in text and "没有写参加对象" not in text


async def test_a_question_naming_the_service_leads_with_the_answer(assistant):
    text = await ask(assistant, "青托资助多少钱")
    assert "接着问的是" not in text
    assert text.index("每人每年15万元") < text.index("项目介绍")


async def test_more_like_this_lists_related_services_then_others(assistant):
    first = await assistant.text(USER, "青托")
    assert QINGTUO in html(first)
    similar = await assistant.text(USER, "还有类似的吗")
    shown = [label.split()[0] for label in labels(similar)]
    assert "和“实施天津市青年人才托举工程”相关的服务" in html(similar)
    assert len(shown) >= 3 and "13" not in shown
    # Youth and talent programmes come before anything that only shares a word.
    assert {"11", "12", "39"} & set(shown)
    more = await assistant.text(USER, "还有别的吗")
    assert not set(label.split()[0] for label in labels(more)) & set(shown)


async def test_more_on_a_topic_searches_that_topic(assistant):
    await ask(assistant, "企业云课堂")
    replies = await assistant.text(USER, "还有类似的培训吗")
    shown = {label.split()[0] for label in labels(replies)}
    assert shown & {"18", "34", "70"} and "36" not in shown


async def test_a_new_question_after_a_card_is_not_taken_as_a_followup(assistant):
    text = await ask(assistant, "青托", "天津有没有养猫的补贴")
    assert "接着问的是" not in text and QINGTUO not in text
    assert "022-27126422" in text  # the switchboard, for a question the catalogue does not answer


async def test_another_field_after_a_society_finds_that_fields_society(assistant):
    assert "天津市化学会" in await ask(assistant, "天津有化学学会吗")
    text = await ask(assistant, "那激光方面的呢")
    assert "天津市激光技术学会" in text and "022-27122522" in text


async def test_after_suggestions_a_followup_takes_the_first_and_offers_the_rest(assistant):
    first = await assistant.text(USER, "院士")
    assert "您是不是想问" in html(first)
    replies = await assistant.text(USER, "电话多少")
    text = html(replies)
    assert "按上面第一项“联系服务两院院士”回答" in text and "022-27122522" in text
    assert any(label.startswith("10 ") for label in labels(replies))


async def test_a_followup_long_after_the_card_is_a_new_question(assistant, clock):
    await ask(assistant, "青托")
    clock.now += FOLLOWUP_SECONDS + 1
    text = await ask(assistant, "有年龄限制吗")
    assert "接着问的是" not in text


async def test_the_context_ends_after_a_few_followups(assistant):
    await ask(assistant, "青托")
    for _ in range(FOLLOWUP_TURNS):
        assert "接着问的是" in await ask(assistant, "资助多少")
    assert "接着问的是" not in await ask(assistant, "资助多少")
