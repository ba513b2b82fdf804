"""Search: the issue's examples, appendix answers, declines, intents, learned aliases, typed hits."""

import pytest

from retrieval.config import RetrievalConfig
from retrieval.decide import Decision
from retrieval.index import Doc, Hit, SearchIndex


@pytest.mark.parametrize("question,expected", [
    ("青托对年龄有什么要求", "13"),
    ("我们公司想查国外专利", "35"),
    ("科普大使归哪个部门管，电话多少", "57"),
    ("創交會報名", "41"),                    # traditional characters
    ("ＰＬＵＳ计划咨询电话", "39"),           # full-width
    ("院士站", "10"),
])
def test_issue_examples_are_answered(searcher, question, expected):
    r = searcher.search(question)
    assert r.decision is not Decision.UNANSWERED
    assert r.best.id == expected


@pytest.mark.parametrize("question,expected", [
    ("天津有人工智能学会吗", "societies"),
    ("天津市科协的地址和邮编", "tast"),
    ("中国科协的地址在哪", "cast"),
    ("企业科协会员有哪些权利", "enterprise-association-rules"),
])
def test_appendix_answers(searcher, question, expected):
    r = searcher.search(question)
    assert r.decision is not Decision.UNANSWERED and r.best.id == expected


@pytest.mark.parametrize("question", [
    "天津明天会下雨吗", "公积金怎么提取", "天津积分落户怎么算分", "高新技术企业认定需要什么条件",
    "河北省科协的电话是多少", "", "？？？",
])
def test_out_of_scope_is_declined(searcher, question):
    assert searcher.search(question).decision is Decision.UNANSWERED


def test_chitchat_is_recognised(searcher):
    for question in ("你好", "谢谢你的帮助", "谢谢啦"):
        r = searcher.search(question)
        assert r.decision is Decision.UNANSWERED and r.reason == "chitchat" and r.hits == ()
    # About the assistant, in words a society's name shares: never a service.
    assert searcher.search("你好，你是机器人吗").decision is Decision.UNANSWERED
    assert searcher.search("有机器人学会吗").best.id == "societies"


@pytest.mark.parametrize("question,intents", [
    ("青托电话多少", ("contact",)),
    ("青托需要什么条件", ("conditions",)),
    ("科技周每年几月份举行", ("cycle",)),
    ("科技小院怎么申请", ("how_to_apply",)),
    ("蝌蚪众传是干啥的", ("what",)),
    ("青托申报条件", ("conditions",)),
])
def test_intents(searcher, question, intents):
    assert searcher.search(question).intents == intents


def test_hits_are_typed_and_ranked(searcher):
    r = searcher.search("科普教育基地怎么申报")
    assert all(isinstance(h, Hit) for h in r.hits)
    assert [h.p for h in r.hits] == sorted((h.p for h in r.hits), reverse=True)
    assert r.best.id == "52" and r.best.matched


def test_learned_alias_answers_at_once(fresh_searcher):
    question = "想咨询一下管科技馆讲解员那个事"
    assert fresh_searcher.search(question).best is None or fresh_searcher.search(question).best.id != "52" or \
        fresh_searcher.search(question).decision is not Decision.ANSWERED
    taught = fresh_searcher.with_learned({"52": [question]})
    r = taught.search(question)
    assert r.decision is Decision.ANSWERED and r.best.id == "52" and r.reason == "learned"
    near = taught.search(question + "？")
    assert near.best.id == "52"


def test_tiny_index_ranks_by_bm25(searcher):
    docs = [Doc("a", "", "苹果种植", "苹果 果树 种植 技术"), Doc("b", "", "科普讲座", "科普 讲座 活动"),
            Doc("c", "", "专利检索", "海外 专利 检索 翻译")]
    index = SearchIndex(docs, searcher.tokenizer, RetrievalConfig())
    ranking = index.rank(index.parse("想查海外专利"))
    assert [h.id for h in ranking.hits][:1] == ["c"]
    with pytest.raises(ValueError, match="no documents"):
        SearchIndex([], searcher.tokenizer, RetrievalConfig())


def test_long_question_is_cut_not_crashed(searcher):
    r = searcher.search("青托" * 3000)
    assert r.best.id == "13"


def test_every_reading_of_a_message_stops_at_the_same_bound(searcher):
    """Search, follow-ups, lead sentences, policy passages and the corrector read a bounded part of a message."""
    import random

    from retrieval.correct import MAX_CORRECTED
    from retrieval.text import MAX_READ

    rng = random.Random(3)
    alphabet = "".join(s.title + s.introduction.plain() for s in searcher.catalogue.services)
    text = "青拖对年龄有什么要求，" + "".join(rng.choice(alphabet) for _ in range(1000))
    head = text[:MAX_READ]
    assert searcher.search(text) == searcher.search(head)
    assert searcher.best_documents(text, "societies") == searcher.best_documents(head, "societies")
    assert searcher.explain(text, "13") == searcher.explain(head, "13")
    assert searcher.corrector.rewrites(text) == searcher.corrector.rewrites(text[:MAX_CORRECTED])
    assert searcher.passages.choose("13", text) == searcher.passages.choose("13", head)
    policy = searcher.parts.policy
    passage = next(iter(policy.passages.values()))
    assert policy.lead_sentence(passage, text) == policy.lead_sentence(passage, head)


def test_removing_the_last_learned_alias_really_removes_it(fresh_searcher):
    """Regression: with_learned({}) used to keep the previously taught index."""
    question = "想咨询一下管科技馆讲解员那个事"
    taught = fresh_searcher.with_learned({"52": [question]})
    assert taught.search(question).reason == "learned"
    untaught = taught.with_learned({})
    assert untaught.search(question).reason != "learned"
    assert "52" not in {d.answer for d in untaught.index.docs if question in d.name}


def test_teaching_and_undoing_leaves_every_other_answer_unchanged(searcher):
    """Taught items build a new index from the base; nothing shared is changed, so an undo is exact."""
    from pathlib import Path

    from retrieval.evaluate import load_questions
    from retrieval.search import Taught

    root = Path(__file__).resolve().parents[2] / "eval"
    questions = [q.q for name in ("holdout_a", "holdout_b") for q in load_questions(root / f"{name}.yaml")]

    def answers(s):
        return [(r.decision, r.reason, [(h.id, round(h.score, 6)) for h in r.hits]) for r in map(s.search, questions)]

    before = answers(searcher)
    taught = searcher.with_taught(Taught(aliases={"13": ("托举申报",), "54": ("小院申报",)},
                                         terms=(("青拖", "青托"),), out_of_scope=("我家的猫三天不吃饭了怎么办",)))
    assert taught.search("托举申报").best.id == "13" and taught.search("青拖申报").best.id == "13"
    assert taught.search("我家的猫三天不吃饭了怎么办").reason == "out_of_scope"
    undone = taught.with_taught(Taught())
    assert answers(undone) == before
    assert answers(searcher) == before
