"""People describing themselves get a list that fits them, and are told what their age rules out."""

from __future__ import annotations

from tests.conftest import USER, html


def listed(replies) -> list[str]:
    return [b.label.split()[0] for r in replies for b in r.choices() if b.label[:2].isdigit()]


async def test_a_profile_gets_a_list_and_the_ways_to_narrow_it(assistant):
    replies = await assistant.text(USER, "我是初二学生，对科学特别感兴趣，有什么科普活动能去")
    assert "根据您的情况" in html(replies) and len(listed(replies)) >= 3
    assert {"50", "51"} & set(listed(replies))
    assert any(b.label.startswith("🔎") for r in replies for b in r.choices())


async def test_a_stated_age_leaves_out_what_it_cannot_pass_and_says_why(assistant):
    replies = await assistant.text(USER, "35岁男科研人员，副高，在天津工作，有啥人才奖项可以报")
    text = html(replies)
    assert "13" not in listed(replies) and len(listed(replies)) == 5
    assert "按您说的35岁、男性" in text and "年龄在32岁以下" in text and "022-27122522" in text


async def test_without_an_age_nothing_is_left_out(assistant):
    replies = await assistant.text(USER, "本人男，天津某高校讲师，博士毕业三年，做化工方向的，有什么人才项目可以报")
    assert "按您说的" not in html(replies)
    assert "13" in listed(replies)
    young = await assistant.text(USER, "本人32岁，男，天津某高校讲师，博士毕业三年，做化工方向的，有什么人才项目可以报")
    assert "按您说的" not in html(young) and listed(young)[0] == "13"


async def test_a_foreigner_describing_themselves_is_not_sent_away(assistant):
    # 外国人永久居留身份证 describes the asker; what they ask (能评什么) is the catalogue's business.
    replies = await assistant.text(USER, "本人外籍，持外国人永久居留身份证，在天津一家公司做科学传播，能评什么")
    assert "56" in listed(replies) and "没有找到" not in html(replies)


async def test_a_national_programme_named_like_a_tianjin_one_is_declined_with_the_tianjin_one_named(assistant):
    replies = await assistant.text(USER, "国家科学技术进步奖怎么申报")
    text = html(replies)
    assert "清单里没有您问的这一级的项目" in text
    assert "16 提名天津市科学技术奖" in text and "022-27122522" in text and "022-27126422" in text
    assert not listed(replies)  # not offered as if it were the answer


async def test_tianjins_candidates_for_a_national_award_are_that_awards_service(assistant):
    replies = await assistant.text(USER, "全国最美科技工作者是哪些部门联合评的")
    assert "这一级" not in html(replies) and "05 推荐“最美科技工作者”天津市候选人" in html(replies)
