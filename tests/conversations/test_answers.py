"""The answer reader on real replies: each row is a question, what a user typed, and the reading.

A row expecting `Ask(...)` means the reply must be asked again, with a message containing the text
given (the specific message, not the generic one, where one applies).
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

import pytest

from conversations.answers import looks_like_answer, read_answer
from conversations.model import Question
from tests.conftest import flow

REFERENCE = date(2026, 12, 31)

QUESTIONS = {
    "AGE": ("youth_talent_lift", "age"),                 # number 16–70 岁
    "OLD_AGE": ("outstanding_talent", "age"),            # number 20–100 岁
    "REFEREES": ("youth_talent_lift", "referees"),       # number 0–50 位
    "COUNT": ("academic_exchange_funding", "count"),     # number 1–50 项
    "TIMES": ("scientist_spirit_base", "activities"),    # number 0–365 次
    "SHARE": ("innovation_pioneer", "chinese_share"),    # number 0–100 %
    "BIRTH": ("youth_sci_tech_award", "birth"),          # date
    "BACHELOR": ("youth_talent_lift", "bachelor"),       # yes/no, a fact (unsure: false in the file)
    "CITIZEN": ("youth_talent_lift", "citizen"),         # yes/no: 您是中国籍公民吗？
    "FULLTIME": ("youth_talent_lift", "fulltime_tianjin"),  # yes/no: 您目前全职在天津地区工作吗？
    "STUDENT": ("youth_talent_lift", "student"),         # yes/no: 您目前是在读的硕士或博士研究生吗？
    "LEADER_DEGREE": ("old_scientists", "leader_degree"),  # yes/no: 研究生以上学历和高级职务，或博士学位？
    "HEALTH": ("outstanding_talent", "health"),          # yes/no
    "EMPLOYED": ("innovation_pioneer", "employed"),      # yes/no: 候选人目前在职吗？
    "IN_POST": ("excellent_workers", "in_post"),         # yes/no: 您目前是否在职、在岗？ (two things)
    "SCHOLARSHIP": ("outstanding_talent", "scholarship"),  # yes/no: 您是否学风正派，治学严谨？
    "RELAXED": ("youth_talent_lift", "relaxed_group"),   # yes/no: 您是女性，或从事医学临床领域吗？
    "NO_SECRETS": ("plus_programme", "truthful_no_secrets"),  # yes/no: …是否属实，且不涉及国家秘密？
    "EMPLOYMENT": ("science_communication_titles", "employment"),  # choice, service 56
    "IDENTITY": ("science_communication_titles", "identity"),
    "LEVEL": ("private_enterprise_titles", "level"),
    "KX_KIND": ("kx_evaluation", "kx_kind"),
    "UNIT_KIND": ("popsci_demo_street", "unit_kind"),
    "RECOMMENDER": ("national_popsci_base", "channel"),
    "GENDER": ("youth_sci_tech_award", "gender"),
    "KIND": ("innovation_pioneer", "kind"),
    "TIER": ("excellent_workers", "tier"),
    "ROLE": ("academic_exchange_funding", "role"),
}


class Ask(NamedTuple):
    """The reply is asked again; the message contains `says`."""

    says: str = ""


GENERIC_YESNO = "请回答“是”“否”或“不确定”"
WHICH = "您指的是哪一项"
APPROX = "是个大概的数"
RANGE = "超出了可回答的范围"

CASES: list[tuple[str, str, Any]] = [
    # -- ages: Arabic, full-width, Chinese numerals, filler -----------------------------------
    ("AGE", "32", 32),
    ("AGE", "３２", 32),
    ("AGE", "三十二", 32),
    ("AGE", "三十二岁", 32),
    ("AGE", "32岁", 32),
    ("AGE", "32周岁", 32),
    ("AGE", "我今年32岁", 32),
    ("AGE", "今年三十二周岁了", 32),
    ("AGE", "卅", 30),
    ("AGE", "廿八", 28),
    # -- a decimal age is completed years ------------------------------------------------------
    ("AGE", "32.5", 32),
    ("AGE", "32岁半", 32),
    ("AGE", "三十二点五", 32),
    # -- bounds: 以上/以下 include the number; 超过/不到 do not; ages are whole years -------------
    ("AGE", "超过32", {"ge": 33, "le": 70}),
    ("AGE", "32以上", {"ge": 32, "le": 70}),
    ("AGE", "32岁以上", {"ge": 32, "le": 70}),
    ("AGE", "32周岁及以上", {"ge": 32, "le": 70}),
    ("AGE", "大于32", {"ge": 33, "le": 70}),
    ("AGE", "不到30", {"ge": 16, "le": 29}),
    ("AGE", "30以下", {"ge": 16, "le": 30}),
    ("AGE", "30岁以下", {"ge": 16, "le": 30}),
    ("AGE", "未满30周岁", {"ge": 16, "le": 29}),
    ("AGE", "至少30", {"ge": 30, "le": 70}),
    ("AGE", "最多30", {"ge": 16, "le": 30}),
    ("AGE", "不超过30岁", {"ge": 16, "le": 30}),
    ("AGE", "快30了", {"ge": 16, "le": 29}),
    ("AGE", "30+", {"ge": 30, "le": 70}),
    # -- ranges ---------------------------------------------------------------------------------
    ("AGE", "30到35岁", {"ge": 30, "le": 35}),
    ("AGE", "三十到三十五", {"ge": 30, "le": 35}),
    ("AGE", "三十多岁", {"ge": 31, "le": 39}),
    ("AGE", "30多岁", {"ge": 31, "le": 39}),
    ("AGE", "二十七八", {"ge": 27, "le": 28}),
    ("OLD_AGE", "八十多", {"ge": 81, "le": 89}),
    ("OLD_AGE", "超过60岁", {"ge": 61, "le": 100}),
    ("OLD_AGE", "六十岁以上", {"ge": 60, "le": 100}),
    ("OLD_AGE", "一百", 100),
    ("OLD_AGE", "九十五", 95),
    # -- approximate, unreadable, out of range ---------------------------------------------------
    ("AGE", "大概30", Ask(APPROX)),
    ("AGE", "30左右", Ask(APPROX)),
    ("AGE", "三十出头", Ask(APPROX)),
    ("AGE", "几岁", Ask(APPROX)),
    ("AGE", "很年轻", Ask("请输入数字年龄，例如 30")),
    ("AGE", "不告诉你", Ask("请输入数字年龄，例如 30")),
    ("AGE", "不是30", Ask("请输入数字年龄")),
    ("AGE", "300", Ask(RANGE)),
    ("AGE", "15", Ask(RANGE)),
    ("AGE", "-5", Ask(RANGE)),
    ("AGE", "1988年", Ask("请输入数字年龄")),
    ("AGE", "我32，明年33", Ask("不止一个数字")),
    ("AGE", "32岁，女", Ask("请输入数字年龄")),
    # -- counts -----------------------------------------------------------------------------------
    ("REFEREES", "3", 3),
    ("REFEREES", "三", 3),
    ("REFEREES", "3位", 3),
    ("REFEREES", "三位", 3),
    ("REFEREES", "两位", 2),
    ("REFEREES", "俩", 2),
    ("REFEREES", "仨", 3),
    ("REFEREES", "3个人", 3),
    ("REFEREES", "5位专家", 5),
    ("REFEREES", "有5位正高", 5),
    ("REFEREES", "0", 0),
    ("REFEREES", "零", 0),
    ("REFEREES", "一个也没有", 0),
    ("REFEREES", "没有", 0),
    ("REFEREES", "一位都没有", 0),
    ("REFEREES", "少于3个", {"ge": 0, "le": 2}),
    ("REFEREES", "不到3位", {"ge": 0, "le": 2}),
    ("REFEREES", "3位以上", {"ge": 3, "le": 50}),
    ("REFEREES", "至少三位", {"ge": 3, "le": 50}),
    ("REFEREES", "三四个", {"ge": 3, "le": 4}),
    ("REFEREES", "2到3个", {"ge": 2, "le": 3}),
    ("REFEREES", "2-3个", {"ge": 2, "le": 3}),
    ("REFEREES", "两三位", {"ge": 2, "le": 3}),
    ("REFEREES", "十几个", {"ge": 11, "le": 19}),
    ("REFEREES", "十来个", Ask(APPROX)),
    ("REFEREES", "几个", Ask(APPROX)),
    ("REFEREES", "好几位", Ask(APPROX)),
    ("REFEREES", "一些", Ask(APPROX)),
    ("REFEREES", "大概3个", Ask(APPROX)),
    ("REFEREES", "3.5", Ask("不是整数")),
    ("REFEREES", "差3个就够了", Ask("请输入推荐专家的人数")),
    ("COUNT", "1", 1),
    ("COUNT", "一项", 1),
    ("COUNT", "两项", 2),
    ("COUNT", "2个", 2),
    ("COUNT", "一两项", {"ge": 1, "le": 2}),
    ("COUNT", "没有", Ask(RANGE)),
    ("COUNT", "3次", Ask("请输入申报活动的项数")),
    ("TIMES", "4", 4),
    ("TIMES", "每年4次", 4),
    ("TIMES", "四次", 4),
    ("TIMES", "一年12次", 12),
    ("TIMES", "3次以上", {"ge": 3, "le": 365}),
    ("TIMES", "一次也没有", 0),
    # -- shares (unit %) --------------------------------------------------------------------------
    ("SHARE", "八成", 80),
    ("SHARE", "大概八成", 80),
    ("SHARE", "差不多八成", 80),
    ("SHARE", "七成", 70),
    ("SHARE", "一成", 10),
    ("SHARE", "七成五", 75),
    ("SHARE", "一半", 50),
    ("SHARE", "三分之二", 66.7),
    ("SHARE", "2/3", 66.7),
    ("SHARE", "百分之八十", 80),
    ("SHARE", "百分之六十", 60),
    ("SHARE", "80%", 80),
    ("SHARE", "80％", 80),
    ("SHARE", "80", 80),
    ("SHARE", "七十", 70),
    ("SHARE", "100", 100),
    ("SHARE", "约70%", 70),
    ("SHARE", "70%左右", 70),
    ("SHARE", "0.5%", 0.5),
    ("SHARE", "全部", 100),
    ("SHARE", "全部都是", 100),
    ("SHARE", "六七成", {"ge": 60, "le": 70}),
    ("SHARE", "百分之六七十", {"ge": 60, "le": 70}),
    ("SHARE", "八成以上", {"ge": 80, "le": 100}),
    ("SHARE", "超过七成", {"gt": 70, "le": 100}),
    ("SHARE", "将近八成", {"ge": 0, "lt": 80}),
    ("SHARE", "不到一半", {"ge": 0, "lt": 50}),
    ("SHARE", "大部分", {"gt": 50, "le": 100}),
    ("SHARE", "0.8", Ask("是指 80% 吗")),
    ("SHARE", "101", Ask(RANGE)),
    # -- dates -------------------------------------------------------------------------------------
    ("BIRTH", "1988年5月1日", "1988-05-01"),
    ("BIRTH", "1988-05-01", "1988-05-01"),
    ("BIRTH", "1988.5.1", "1988-05-01"),
    ("BIRTH", "1988/5/1", "1988-05-01"),
    ("BIRTH", "19880501", "1988-05-01"),
    ("BIRTH", "1988年05月01日出生", "1988-05-01"),
    ("BIRTH", "1988年5月1号", "1988-05-01"),
    ("BIRTH", "一九八八年五月一日", "1988-05-01"),
    ("BIRTH", "二〇〇一年十二月二十一日", "2001-12-21"),
    ("BIRTH", "１９８８－０５－０１", "1988-05-01"),
    ("BIRTH", "1988 5 1", "1988-05-01"),
    ("BIRTH", "88年5月1日", "1988-05-01"),
    ("BIRTH", "2000年2月29日", "2000-02-29"),
    ("BIRTH", "1988年", "1988"),
    ("BIRTH", "1988年出生", "1988"),
    ("BIRTH", "1988", "1988"),
    ("BIRTH", "88年", "1988"),
    ("BIRTH", "八八年", "1988"),
    ("BIRTH", "1988年5月", "1988-05"),
    ("BIRTH", "1988.5", "1988-05"),
    ("BIRTH", "198805", "1988-05"),
    ("BIRTH", "1990年13月5日", Ask("月份只有 1–12 月")),
    ("BIRTH", "19901305", Ask("月份只有 1–12 月")),
    ("BIRTH", "1990-02-30", Ask("1990 年 2 月只有 28 天")),
    ("BIRTH", "1990年2月29日", Ask("1990 年 2 月只有 28 天")),
    ("BIRTH", "2030-01-01", Ask("日期不能在将来")),
    ("BIRTH", "2030年", Ask("日期不能在将来")),
    ("BIRTH", "1850-01-01", Ask("早于 1900 年")),
    ("BIRTH", "05年", Ask("请写出四位年份")),
    ("BIRTH", "5月1日", Ask("请连同年份一起输入")),
    ("BIRTH", "35岁", Ask("不是年龄")),
    ("BIRTH", "明年", Ask("请按“年-月-日”输入出生日期")),
    # -- yes / no: numbers and words -----------------------------------------------------------------
    ("BACHELOR", "1", "yes"),
    ("BACHELOR", "2", "no"),
    ("BACHELOR", "3", "unsure"),
    ("BACHELOR", "yes", "yes"),
    ("BACHELOR", "y", "yes"),
    ("BACHELOR", "no", "no"),
    ("BACHELOR", "√", "yes"),
    ("BACHELOR", "×", "no"),
    ("BACHELOR", "是", "yes"),
    ("BACHELOR", "是的", "yes"),
    ("BACHELOR", "对", "yes"),
    ("BACHELOR", "对的", "yes"),
    ("BACHELOR", "对头", "yes"),
    ("BACHELOR", "当然", "yes"),
    ("BACHELOR", "当然是", "yes"),
    ("BACHELOR", "好的", "yes"),
    ("BACHELOR", "是滴", "yes"),
    ("BACHELOR", "嗯", "yes"),
    ("BACHELOR", "嗯嗯", "yes"),
    ("BACHELOR", "没错", "yes"),
    ("BACHELOR", "有", "yes"),
    ("BACHELOR", "有的", "yes"),
    ("BACHELOR", "有本科", "yes"),
    ("BACHELOR", "具备", "yes"),
    ("BACHELOR", "是的，我有本科", "yes"),
    ("BACHELOR", "否", "no"),
    ("BACHELOR", "不", "no"),
    ("BACHELOR", "不是", "no"),
    ("BACHELOR", "不是的", "no"),
    ("BACHELOR", "没有", "no"),
    ("BACHELOR", "没", "no"),
    ("BACHELOR", "无", "no"),
    ("BACHELOR", "并没有", "no"),
    ("BACHELOR", "还没", "no"),
    ("BACHELOR", "不具备", "no"),
    ("BACHELOR", "没有本科", "no"),
    ("BACHELOR", "不符合", "no"),
    ("BACHELOR", "不满足", "no"),
    ("BACHELOR", "不，没有", "no"),
    # -- negated yes words are never yes -------------------------------------------------------------
    ("BACHELOR", "不好", "no"),
    ("BACHELOR", "不对", "no"),
    ("BACHELOR", "没有具备", "no"),
    # -- doubt and hedges are 不确定, on a fact question too ----------------------------------------
    ("BACHELOR", "不确定", "unsure"),
    ("BACHELOR", "不知道", "unsure"),
    ("BACHELOR", "说不清", "unsure"),
    ("BACHELOR", "拿不准", "unsure"),
    ("BACHELOR", "不清楚", "unsure"),
    ("BACHELOR", "不太清楚", "unsure"),
    ("BACHELOR", "不一定", "unsure"),
    ("BACHELOR", "应该是", "unsure"),
    ("BACHELOR", "应该有", "unsure"),
    ("BACHELOR", "可能是", "unsure"),
    ("BACHELOR", "大概是", "unsure"),
    ("BACHELOR", "好像有", "unsure"),
    ("BACHELOR", "是吧", "unsure"),
    ("BACHELOR", "算是吧", "unsure"),
    ("BACHELOR", "差不多吧", "unsure"),
    # -- anything else is asked again, with the choices ------------------------------------------------
    ("BACHELOR", "是的，但没有毕业", Ask("既有肯定也有否定")),
    # -- an answer with a detail: the detail must agree (it repeats the question after a yes) ---------
    ("CITIZEN", "对，中国人", "yes"),
    ("CITIZEN", "是中国人", "yes"),
    ("CITIZEN", "中国人", "yes"),
    ("CITIZEN", "那当然", "yes"),
    ("CITIZEN", "不是中国人", "no"),
    ("CITIZEN", "对，外籍", Ask(GENERIC_YESNO)),
    ("FULLTIME", "对的 在南开大学全职", "yes"),
    ("FULLTIME", "是的，全职", "yes"),
    ("FULLTIME", "对，兼职", Ask(GENERIC_YESNO)),
    ("FULLTIME", "对的 我在北京", Ask(GENERIC_YESNO)),
    ("FULLTIME", "不是，兼职", "no"),
    ("STUDENT", "不是，已经工作了", "no"),
    ("STUDENT", "不是 博士毕业了", "no"),
    ("STUDENT", "是的，已经工作了", Ask(GENERIC_YESNO)),
    # -- a level of education at a question asking for one at least -----------------------------------
    ("BACHELOR", "我是博士毕业", "yes"),
    ("BACHELOR", "有硕士", "yes"),  # 硕士 is 本科以上 (it was asked again before)
    ("BACHELOR", "研究生", "yes"),
    ("BACHELOR", "大专", "no"),
    ("BACHELOR", "专科毕业", "no"),
    ("BACHELOR", "博士在读", Ask(GENERIC_YESNO)),  # a degree being taken is not had
    ("LEADER_DEGREE", "硕士", Ask(GENERIC_YESNO)),  # the level alone does not answer 「…和高级职务」
    ("BACHELOR", "哈哈", Ask(GENERIC_YESNO)),
    ("BACHELOR", "是不是要本科", Ask(GENERIC_YESNO)),
    # -- the question's own words ----------------------------------------------------------------------
    ("HEALTH", "健康", "yes"),
    ("HEALTH", "身体健康", "yes"),
    ("HEALTH", "很健康", "yes"),
    ("HEALTH", "挺好", "yes"),
    ("HEALTH", "不健康", "no"),
    ("HEALTH", "还行", "unsure"),
    ("HEALTH", "一般", "unsure"),
    ("EMPLOYED", "在职", "yes"),
    ("EMPLOYED", "目前在职", "yes"),
    ("EMPLOYED", "不在职", "no"),
    ("RELAXED", "女性", "yes"),
    ("RELAXED", "医学临床领域", "yes"),
    ("RELAXED", "男性", Ask(GENERIC_YESNO)),
    # -- echoing one of several things asked is not a yes; denying one is a no -----------------------
    ("IN_POST", "在职", Ask(GENERIC_YESNO)),
    ("IN_POST", "不在岗", "no"),
    ("SCHOLARSHIP", "学风正派", Ask(GENERIC_YESNO)),
    ("SCHOLARSHIP", "不严谨", "no"),
    # -- a question that itself says 不: echoing or denying its words is not read either way ----------
    ("NO_SECRETS", "不涉及", Ask(GENERIC_YESNO)),
    ("NO_SECRETS", "没有涉及", Ask(GENERIC_YESNO)),
    ("NO_SECRETS", "涉及", Ask(GENERIC_YESNO)),
    ("NO_SECRETS", "是的", "yes"),
    ("NO_SECRETS", "不属实", "no"),
    # -- options: 56 在职 must not select 目前不在职 ----------------------------------------------------
    ("EMPLOYMENT", "在职", Ask("1.“在单位任职")),
    ("EMPLOYMENT", "不在职", "not_working"),
    ("EMPLOYMENT", "退休了", "not_working"),
    ("EMPLOYMENT", "已经退休", "not_working"),
    ("EMPLOYMENT", "在校学习", "not_working"),
    ("EMPLOYMENT", "待业", "not_working"),
    ("EMPLOYMENT", "目前不在职（如已退休、在校学习或待业）", "not_working"),
    ("EMPLOYMENT", "4", "not_working"),
    ("EMPLOYMENT", "在企业上班", "unit"),
    ("EMPLOYMENT", "在事业单位", "unit"),
    ("EMPLOYMENT", "unit", "unit"),
    ("EMPLOYMENT", "新就业形态", "new_form"),
    ("EMPLOYMENT", "第二个", "new_form"),
    ("EMPLOYMENT", "自由职业", "freelance"),
    ("EMPLOYMENT", "自由职业者", "freelance"),
    ("EMPLOYMENT", "选3", "freelance"),
    ("EMPLOYMENT", "应该是自由职业者", Ask("3.“自由职业者”")),
    ("EMPLOYMENT", "公务员", Ask("请从选项中选择一项")),
    ("IDENTITY", "外籍", Ask(WHICH)),
    ("IDENTITY", "不是外籍", Ask("1.“中国内地（大陆）居民”，2.“港澳台地区人才”")),
    ("IDENTITY", "港澳台", "hmt"),
    ("IDENTITY", "大陆", "mainland"),
    ("IDENTITY", "内地", "mainland"),
    ("IDENTITY", "中国内地（大陆）居民", "mainland"),
    ("IDENTITY", "有工作许可证", "foreign_permit"),
    ("IDENTITY", "永久居留身份证", "foreign_permit"),
    ("IDENTITY", "外籍人士", "foreign_other"),
    # -- the most specific option wins; two that fit are asked about, never guessed ------------------
    ("LEVEL", "正高", "senior"),
    ("LEVEL", "正高级", "senior"),
    ("LEVEL", "副高", "associate"),
    ("LEVEL", "副高级职称", "associate"),
    ("LEVEL", "中级", "intermediate"),
    ("LEVEL", "初级", "other"),
    ("LEVEL", "其他", "other"),
    ("LEVEL", "高级", Ask("1.“正高级”，2.“副高级”")),
    ("KX_KIND", "企业科协", "enterprise"),
    ("KX_KIND", "高校科协", "university"),
    ("KX_KIND", "事业单位科协", "institution"),
    ("KX_KIND", "园区", "park"),
    ("KX_KIND", "区科协", "other"),
    ("KX_KIND", "学会", "other"),
    ("KX_KIND", "以上都不是", "other"),
    ("KX_KIND", "还没成立科协", "no_kx"),
    ("KX_KIND", "不知道", "unsure"),
    ("KX_KIND", "不确定属于哪一类", "unsure"),
    ("KX_KIND", "科协", Ask("请从选项中选择一项")),
    ("UNIT_KIND", "园区", "park"),
    ("UNIT_KIND", "工业园区", "park"),
    ("UNIT_KIND", "街道", "street"),
    ("UNIT_KIND", "乡镇", "township"),
    ("UNIT_KIND", "都不是", "other"),
    ("RECOMMENDER", "天津市科协", "provincial_kx"),
    ("RECOMMENDER", "全国学会", "society"),
    ("RECOMMENDER", "部委", "ministry"),
    ("RECOMMENDER", "没有", Ask("您指的是哪一项")),
    ("RECOMMENDER", "还不确定", "undecided"),
    ("GENDER", "男", "male"),
    ("GENDER", "女", "female"),
    ("GENDER", "男性", "male"),
    ("GENDER", "女士", "female"),
    ("GENDER", "男的", "male"),
    ("KIND", "个人", "individual"),
    ("KIND", "个人提名", "individual"),
    ("KIND", "团队的", "team"),
    ("TIER", "标兵", "model"),
    ("TIER", "优秀", "worker"),
    ("TIER", "优秀科技工作者标兵", Ask("1.“标兵”，2.“优秀科技工作者”")),
    ("ROLE", "主办", "host"),
    ("ROLE", "第一承办单位", "first_co_host"),
    ("ROLE", "协办", "other"),
    ("ROLE", "承办", Ask("2.“第一承办单位”，3.“其他")),
]


def question(key: str) -> Question:
    flow_id, qid = QUESTIONS[key]
    return flow(flow_id).question(qid)


def test_the_table_is_large_enough():
    assert len(CASES) >= 150
    assert len({(k, text) for k, text, _ in CASES}) == len(CASES), "duplicate rows"


@pytest.mark.parametrize("key,text,expected", CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_reading(key, text, expected):
    reading = read_answer(question(key), text, REFERENCE)
    if isinstance(expected, Ask):
        assert not reading.ok, f"{text!r} was read as {reading.value!r}"
        assert expected.says in reading.error
    else:
        assert reading.ok, f"{text!r} was asked again: {reading.error}"
        assert reading.value == expected and type(reading.value) is type(expected)


@pytest.mark.parametrize("key,text", [
    ("BIRTH", "1988年5月"), ("BIRTH", "1990年13月5日"), ("BIRTH", "19880501"), ("BIRTH", "88年"),
    ("AGE", "三十多岁"), ("AGE", "300"), ("AGE", "32.5"), ("REFEREES", "十来个"), ("SHARE", "0.8"),
    ("BACHELOR", "不知道"), ("BACHELOR", "是的，但没有毕业"), ("EMPLOYMENT", "在职"), ("LEVEL", "高级"),
    ("SCHOLARSHIP", "学风正派"), ("IN_POST", "在职"),
])
def test_attempts_to_answer_are_recognised(key, text):
    assert looks_like_answer(question(key), text)


@pytest.mark.parametrize("key,text", [
    ("BIRTH", "电话多少"), ("BIRTH", "2024年的申报什么时候开始"), ("AGE", "电话多少"), ("AGE", "年龄怎么算"),
    ("REFEREES", "推荐专家要什么职称"), ("BACHELOR", "电话多少"), ("BACHELOR", "科普大使归哪个部门管"),
    ("BACHELOR", "是不是要本科"), ("EMPLOYMENT", "申报截止时间是哪天"), ("SHARE", "团队要多少人"),
])
def test_other_questions_are_not_taken_for_answers(key, text):
    assert not looks_like_answer(question(key), text)


def test_every_yes_no_question_of_every_flow_accepts_unsure():
    from conversations.loader import load_flows

    for f in load_flows().values():
        for q in f.questions:
            if q.type == "yesno":
                for text in ("不确定", "不知道", "说不清", "拿不准", "3"):
                    assert read_answer(q, text, REFERENCE).value == "unsure", (f.id, q.id, text)


# -- rules over answers that allow several values ------------------------------------------------

@pytest.mark.parametrize("value,op,threshold,expected", [
    ({"ge": 33, "le": 70}, "le", 32, False),
    ({"ge": 33, "le": 70}, "le", 40, None),
    ({"ge": 33, "le": 70}, "ge", 33, True),
    ({"ge": 33, "le": 70}, "gt", 70, False),
    ({"ge": 16, "le": 30}, "le", 32, True),
    ({"ge": 16, "le": 30}, "lt", 30, None),
    ({"gt": 70, "le": 100}, "ge", 70, True),
    ({"gt": 70, "le": 100}, "gt", 70, True),
    ({"ge": 0, "lt": 50}, "lt", 50, True),
    ({"ge": 0, "lt": 50}, "ge", 50, False),
    ({"ge": 60, "le": 70}, "ge", 70, None),
    ({"ge": 2, "le": 3}, "eq", 5, False),
    ({"ge": 2, "le": 3}, "eq", 2, None),
    ({"ge": 2, "le": 3}, "ne", 5, True),
    ({"ge": 2, "le": 3}, "in", (4, 5), False),
    (31, "le", 32, True),          # a plain number, as saved before intervals existed
    ("unsure", "eq", "yes", None),
])
def test_compare_is_decisive_only_when_every_value_agrees(value, op, threshold, expected):
    from conversations.model import Compare
    from conversations.rules import compare

    assert compare(Compare("x", op, threshold), {"x": value}, REFERENCE) is expected


@pytest.mark.parametrize("birth,op,years,expected", [
    ("1988", "le", 40, True),            # 38 on 2026-12-31 whatever the day
    ("1985", "le", 40, False),           # 41
    ("1986-12", "le", 40, True),         # 40 on the reference date (born in December)
    ("1990-05-01", "le", 36, True),      # an ISO date saved before partial dates existed
    ("1990-05-01", "le", 35, False),
])
def test_age_over_a_partial_birth_date(birth, op, years, expected):
    from conversations.model import Compare
    from conversations.rules import compare

    assert compare(Compare("birth", op, years, as_age=True), {"birth": birth}, REFERENCE) is expected


def test_age_over_a_birth_year_that_straddles_a_birthday_is_unknown():
    from conversations.model import Compare
    from conversations.rules import compare

    rule = Compare("birth", "le", 40, as_age=True)
    assert compare(rule, {"birth": "1985"}, date(2026, 6, 15)) is None
    assert compare(rule, {"birth": "1985-07"}, date(2026, 6, 15)) is True


@pytest.mark.parametrize("change,names", [
    (lambda s: s.replace("hedges: [", "hedgez: ["), "hedgez"),
    (lambda s: s.replace('unsure_pattern: "[不没]', 'unsure_pattern: "([不没]'), "unsure_pattern"),
    (lambda s: s.replace("  - [全职, 专职]", "  - [全职]"), "same"),
    (lambda s: s.replace("particles: [啊, 呀,", "particles: [啊啊, 呀,"), "particles"),
    (lambda s: s.replace("contrast: [但是, 但,", "contrast: ['', 但,"), "contrast"),
])
def test_a_malformed_words_file_stops_with_one_line_naming_the_field(tmp_path, change, names):
    from conversations.words import ANSWERS_FILE, answer_words
    from retrieval.loader import CatalogueError

    broken = tmp_path / "answers.yaml"
    broken.write_text(change(ANSWERS_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        answer_words(str(broken))
    message = str(exc.value)
    assert "\n" not in message and str(broken) in message and names in message, message
