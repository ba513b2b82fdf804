"""The fitted decision as users meet it: named services answered, what is not ours declined, small talk in kind,
English understood, profiles listed — one typed outcome with a reason from one enum."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.decide import decide
from retrieval.outcome import Decision, Intent, Reason
from retrieval.scorer import Thresholds, fit_choice, fit_logistic


@pytest.mark.parametrize("question, answer", [
    ("评天津杰出人才要正高职称吗，年龄限多少", "11"),
    ("TAST地址电话", "tast"),
    ("青托申报条件", "13"),
])
def test_a_question_naming_its_service_is_answered_outright(searcher, question, answer):
    r = searcher.search(question)
    assert r.decision is Decision.ANSWERED and r.best.id == answer
    assert r.reason is Reason.CONFIDENT and r.confidence >= searcher.parts.decision.thresholds.answer


@pytest.mark.parametrize("question, answer", [
    ("创新方法大赛一年办几届", {"33", "34"}),
    ("最美科技工作者每年都评吗", {"05", "15"}),
    ("CAST是什么机构", {"cast"}),
])
def test_a_named_service_is_never_a_bare_decline(searcher, question, answer):
    r = searcher.search(question)
    assert r.decision is not Decision.UNANSWERED and r.best.id in answer


@pytest.mark.parametrize("question", [
    "滨海新区科协电话多少",
    "求是科技基金会的求是杰出科学家奖怎么申报",
    "天津有什么好吃的推荐一下",
    "天津共有产权房怎么申请",
])
def test_what_is_not_ours_is_declined(searcher, question):
    r = searcher.search(question)
    assert r.decision is Decision.UNANSWERED
    assert r.reason in (Reason.OUT_OF_SCOPE, Reason.NO_MATCH)


@pytest.mark.parametrize("question", ["谢谢啦", "你好", "你是机器人还是人工客服"])
def test_small_talk_never_gets_services(searcher, question):
    r = searcher.search(question)
    assert r.decision is Decision.UNANSWERED and r.intent in (Intent.SMALLTALK, Intent.HUMAN)


def test_an_english_question_finds_its_service(searcher):
    r = searcher.search("When is Tianjin Science and Technology Week held each year?")
    assert r.english and r.best.id == "50" and r.decision is not Decision.UNANSWERED


def test_a_profile_asking_what_fits_gets_a_list_with_what_plainly_fits(searcher):
    r = searcher.search("我是35岁的女老师，在天津一所大学教书，有哪些奖项或人才计划可以报")
    assert r.intent is Intent.PROFILE and r.reason is Reason.PROFILE and r.decision is Decision.SUGGEST
    assert {"02", "04", "12"} <= {h.id for h in r.hits[:10]}


def test_a_profile_asking_one_thing_is_answered_for_it(searcher):
    r = searcher.search("我在一家民营企业做人事，想了解我们公司的工程师怎么申报民营企业工程技术职称")
    assert r.reason is not Reason.PROFILE and r.best.id == "17" and r.decision is not Decision.UNANSWERED


def test_probabilities_rank_the_hits_and_sum_to_at_most_one(searcher):
    r = searcher.search("科普大使怎么评")
    ps = [h.p for h in r.hits]
    assert ps == sorted(ps, reverse=True) and sum(ps) <= 1.0 + 1e-9 and r.confidence == ps[0]


def test_the_decision_is_two_thresholds_and_the_intent():
    th = Thresholds(answer=0.9, suggest=0.3, profile=0.97, english=0.95, guess=0.5)
    assert decide(0.95, Intent.QUESTION, th) == (Decision.ANSWERED, Reason.CONFIDENT)
    assert decide(0.5, Intent.QUESTION, th) == (Decision.SUGGEST, Reason.GUESS)
    assert decide(0.4, Intent.QUESTION, th) == (Decision.SUGGEST, Reason.CHOICES)
    assert decide(0.5, Intent.PROFILE, th) == (Decision.SUGGEST, Reason.PROFILE)
    assert decide(0.95, Intent.PROFILE, th) == (Decision.SUGGEST, Reason.PROFILE)  # a self-description: its own threshold
    assert decide(0.98, Intent.PROFILE, th) == (Decision.ANSWERED, Reason.CONFIDENT)
    assert decide(0.92, Intent.QUESTION, th, english=True) == (Decision.SUGGEST, Reason.GUESS)
    assert decide(0.99, Intent.QUESTION, th, nothing=True) == (Decision.UNANSWERED, Reason.EMPTY)
    assert decide(0.1, Intent.QUESTION, th) == (Decision.UNANSWERED, Reason.NO_MATCH)
    assert decide(0.99, Intent.SMALLTALK, th) == (Decision.UNANSWERED, Reason.SMALLTALK)
    assert decide(0.99, Intent.HUMAN, th) == (Decision.UNANSWERED, Reason.HUMAN)


def test_the_choice_model_prefers_the_candidate_that_stands_out():
    rng = np.random.default_rng(1)
    groups, rights = [], []
    for _ in range(300):
        x = rng.normal(size=(4, 2))
        right = np.zeros(4)
        if rng.random() < 0.8:
            k = int(rng.integers(4))
            x[k, 0] += 3.0  # the right one scores high on the first feature
            right[k] = 1
        groups.append(x)
        rights.append(right)
    model = fit_choice(groups, rights, ["signal", "noise"])
    assert model.weights[0] > 1.0 and abs(model.weights[1]) < 0.5
    clear = np.array([[4.0, 0.0], [0.0, 0.0], [0.1, 0.0]])
    flat = np.array([[0.1, 0.0], [0.0, 0.0], [0.1, 0.0]])
    assert model.choose(clear)[0] > 0.9 > model.choose(flat).max()


def test_logistic_regression_recovers_a_separating_weight():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + 0.1 * rng.normal(size=400) > 0).astype(float)
    m = fit_logistic(x, y, ["a", "b"])
    assert m.weights[0] > 2 * abs(m.weights[1])
    assert m.one([2.0, 0.0]) > 0.9 and m.one([-2.0, 0.0]) < 0.1
