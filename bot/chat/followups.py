"""Follow-ups in context: a turn about the answer just shown, a request for more like it, or a sibling.

The chat's session keeps the last answer (bot/chat/session.py `Context`) for FOLLOWUP_SECONDS and at most
FOLLOWUP_TURNS follow-ups; retrieval/followup.py says how a turn relates to it, and this module replies.
"""

from __future__ import annotations

from dataclasses import replace

from retrieval.aspects import asked
from retrieval.decide import Decision
from retrieval.followup import Turn as Kind
from retrieval.followup import classify, related_services
from retrieval.model import Catalogue
from retrieval.search import SearchResult
from retrieval.societies import SocietyMatch
from retrieval.text import compact, normalise

from . import browse, record, render, texts, views
from .core import Exchange
from .leads import leads_for
from .render import esc
from .routes import code_of
from .session import Context

FOLLOWUP_SECONDS = 15 * 60


FOLLOWUP_TURNS = 6


def fresh_context(t: Exchange) -> Context | None:
    """Return the last answer when a follow-up may still refer to it."""
    ctx = t.session.context
    if ctx is None or not ctx.at or t.a.clock() - ctx.at > FOLLOWUP_SECONDS or ctx.turns >= FOLLOWUP_TURNS:
        return None
    return ctx


def in_context(t: Exchange, text: str, result: SearchResult) -> SearchResult:
    """Settle an unsure search by what was said just before: 职称几月评 after 我是民营企业的工程师… is 17.

    Only to confirm: when the turn read together with the last question answers outright with the very
    service the turn alone leads with, that is the answer; anything else leaves the suggestion as it was.
    """
    ctx = fresh_context(t)
    if result.decision is not Decision.SUGGEST or result.best is None or ctx is None or not ctx.text \
            or result.reason == "profile":
        return result
    # What the last question said (not what it asked: 有什么适合我的 would make this a profile question again).
    joined = t.a.searcher.search(f"{t.a.searcher.parts.profile.about(ctx.text)}，{text}")
    if joined.decision is Decision.ANSWERED and joined.best is not None and joined.best.id == result.best.id:
        return replace(result, decision=Decision.ANSWERED, reason="context")
    return result


def _whole_name(catalogue: Catalogue, answer: str, phrase: str) -> bool:
    """Return True when the phrase found in a turn is a whole title or alias of that answer (工程师资格国际互认)."""
    service = catalogue.service(answer)
    if len(phrase) < 3:
        return False
    if service is None:
        return True  # 天津市科协, 市科协, 通则: an appendix answer is found only by its own name
    return phrase in {compact(n) for n in (service.title, *service.aliases)}


def _names_organisation(catalogue: Catalogue, org_id: str, text: str) -> bool:
    """Return True when a turn names the organisation by its full or short name (那中国科协呢)."""
    org = catalogue.organisation(org_id)
    return org.name in compact(text) or org.short_name in text


async def follow_up(t: Exchange, text: str, result: SearchResult) -> bool:
    """Answer a turn that refers to the last answer; return False when it is a question of its own."""
    ctx = fresh_context(t)
    if ctx is None or result.reason == "chitchat" or not (ctx.answer or ctx.choices):
        return False  # (a profile list keeps only its question, for `in_context`)
    a = t.a
    choices = ctx.choices if not ctx.answer else ()
    if choices:  # suggestions were shown and none picked: a follow-up is taken to be about the first
        ctx = replace(ctx, answer=choices[0])
    best = result.best.id if result.best else None
    context_ev = a.searcher.explain(text, ctx.answer) if result.content else None
    best_ev = a.searcher.explain(text, best) if result.content and best and best != ctx.answer else None
    # The turn names another answer when that answer's own name explains it better than the context's.
    # Not on an everyday word alone: 在哪举办 after 创交会 does not switch to a title that has 举办.
    telling = any(not a.searcher.tokenizer.is_common(w) for w in result.content)
    names_other = bool(result.best and (_whole_name(a.catalogue, result.best.id, result.best.phrase) or (
        telling and best_ev is not None and context_ev is not None and best_ev.name_bigrams >= 0.5
        and best_ev.name_bigrams > context_ev.name_bigrams + 0.2)))

    organisations = ("tast", "cast")
    if ctx.answer in organisations and best in organisations and best != ctx.answer \
            and result.decision is not Decision.UNANSWERED and _names_organisation(a.catalogue, best, text):
        # 那中国科协呢 哪年成立 after 天津市科协: the other organisation, asked the same.
        qid = await record.log_question(t, text, result, shown=None, decision="answered", reason="followup")
        t.session.last_query, t.session.last_text = qid, text
        views.show_answer(t, best, text, result, qid)
        return True

    if ctx.answer == "societies" and not names_other:
        # 医学类的有哪些, 人工智能方面的呢 after the societies list: the societies of that name or field.
        match = a.searcher.societies.match(text + "学会")
        if (match.names or match.discipline) and await _sibling(t, text, result, ctx):
            return True

    other = a.searcher.counterpart(ctx.answer, text) if not choices else None
    if other is not None and not (names_other and best != other):
        # 全国的那个呢 after Tianjin's programme: the same programme at the level the turn names.
        await _counterpart(t, text, result, ctx, other)
        return True

    unexplained, mentioned = _unexplained(t, text, result, ctx)

    # The last answer's text has every word of the turn, if not as words then as characters (男 in 男性候选人).
    by_context = context_ev.explained if context_ev else 1.0
    by_best = best_ev.explained if best_ev else 0.0
    if mentioned == 1.0:
        by_context = max(by_context, 0.5)
    if mentioned >= 0.5 and result.decision is not Decision.ANSWERED and not unexplained:
        # 怎么学, 侧重哪些产业: the turn's own search is unsure, and the last answer's text has its words.
        by_context = max(by_context, 0.5, by_best)

    def kind_of(sibling: bool) -> Kind:
        return classify(text, result.content, result.decision, best, names_other, ctx.answer,
                        by_context, by_best,
                        bool(result.intents) or bool(asked(text, a.searcher.parts.aspects)), a.searcher.parts.followup,
                        sibling, unexplained)

    kind = kind_of(True)
    if kind is Kind.NEW and best == ctx.answer and result.decision is not Decision.UNANSWERED and not choices:
        kind = Kind.ASPECT  # 订房电话 after 科技工作者之家: the turn's own search says it is the same answer
    if ctx.answer == "societies" and kind is Kind.ASPECT and result.content:
        kind = Kind.SIBLING  # 化工的呢 after 化学会: another society, when the turn names one
    if kind is Kind.RELATED:
        await _related(t, text, result, ctx)
        return True
    if kind is Kind.SIBLING:
        if await _sibling(t, text, result, ctx):
            return True
        kind = kind_of(False)  # 那女的呢 after a service card: about that service after all
    if kind is not Kind.ASPECT:
        return False
    await _about_context(t, text, result, ctx, choices)
    return True


def _unexplained(t: Exchange, text: str, result: SearchResult, ctx: Context) -> tuple[bool, float]:
    """Return whether the turn has words the last answer does not explain, and how much of it that answer mentions."""
    a = t.a
    asks = [w for aspect in a.searcher.parts.aspects for w in aspect.asks]
    # A rare word the last answer does not explain makes the turn a question of its own (养猫 in 天津有没有养猫
    # 的补贴), unless it is part of what the turn asks (交钱, 外籍).
    strange = [w for w in result.content if not a.searcher.tokenizer.is_common(w, 13.0)
               and not any(w in x or x in w for x in asks)]
    unexplained = bool(strange) and a.searcher.explain(text, ctx.answer, tuple(strange)).explained < 1.0
    mentioned = a.searcher.mentions(ctx.answer, result.content)
    # Not about the last answer, whatever it asks (怎么办, 找谁): a turn the search declines as another body's
    # business that the last answer's text does not wholly hold (高新技术企业认定找谁 after 院士工作站), and a
    # turn whose words the catalogue never uses and no aspect asks with (我家狗老掉毛怎么办, 股票怎么买). One word
    # alone (外籍能报吗, 每个月还有补贴吗) is a question about the last answer that its text may not settle.
    declined = result.decision is Decision.UNANSWERED and result.reason in ("out_of_scope", "other_level")
    foreign = [w for w in result.content if not a.searcher.index.knows(w) and not any(w in x or x in w for x in asks)]
    if len(result.content) >= 2 and ((declined and mentioned < 1.0) or len(foreign) == len(result.content)):
        unexplained = True
    return unexplained, mentioned


async def _about_context(t: Exchange, text: str, result: SearchResult, ctx: Context, choices: tuple[str, ...]) -> None:
    """Answer the turn about the last answer (or the first suggestion): its card, leading with what was asked."""
    a = t.a
    previous = t.session.last_text
    qid = await record.log_question(t, text, result, shown=ctx.answer if ctx.answer in a.catalogue.by_id else None,
                                    decision="answered", reason="followup")
    t.session.last_query, t.session.last_text = qid, text
    service = a.catalogue.service(ctx.answer)
    if service is not None:
        hint = views.corrected(result) + esc(
            (texts.FOLLOWUP_FIRST_CHOICE if choices else texts.FOLLOWUP_HINT).format(title=service.title))
        asked_here = bool(result.intents) or bool(asked(text, a.searcher.parts.aspects))
        # 男的呢 after 女性候选人年龄上限: the same question about someone else — read with the turn before.
        sibling = a.searcher.parts.followup.is_sibling(text)
        carried = f"{previous}，{text}" if previous and not asked_here and sibling else text
        leads = leads_for(t, service.id, carried)
        others = [[t.button(views.answer_label(t, c), "sg", ctx.query or qid, code_of(c))]
                  for c in choices[1:]] if choices else []
        t.out.add(hint + "\n" + render.service_card(service, views.card_intents(result, leads), leads),
                  others + views.card_buttons(t, service, qid), about=service.id)
    elif ctx.answer == "societies":
        match = SocietyMatch(tuple(n for n in ctx.detail.split("|") if n))
        t.out.add(render.societies_card(a.catalogue, match), views.feedback_row(t, qid), about="societies")
    else:
        views.show_answer(t, ctx.answer, text if result.content else ctx.text, None, qid)
    t.session.context = replace(ctx, turns=ctx.turns + 1, at=a.clock(), choices=())


async def _counterpart(t: Exchange, text: str, result: SearchResult, ctx: Context, other: str) -> None:
    a = t.a
    previous = t.session.last_text
    qid = await record.log_question(t, text, result, shown=other, decision="answered", reason="followup")
    t.session.last_query, t.session.last_text = qid, text
    before, now = a.catalogue.by_id[ctx.answer], a.catalogue.by_id[other]
    t.out.add(esc(texts.COUNTERPART_HINT.format(previous=before.title, title=now.title)))
    question = a.searcher.parts.followup.strip_marks(text)
    if previous and a.searcher.parts.followup.is_sibling(text) and not result.intents \
            and not asked(text, a.searcher.parts.aspects):
        # 那天津赛区的呢 after 全国总决赛有哪些环节: the same question — what it asked, not what it named.
        asking = [w for aspect in asked(previous, a.searcher.parts.aspects) for w in aspect.asks
                  if w in normalise(previous)]
        question = f"{'，'.join(asking)}，{question}" if asking else question
    views.show_answer(t, other, question, result, qid)


async def _related(t: Exchange, text: str, result: SearchResult, ctx: Context) -> None:
    a = t.a
    qid = await record.log_question(t, text, result, shown=None, decision="suggest", reason="related")
    service = a.catalogue.service(ctx.answer)
    if service is None:  # an appendix answer: its own list
        await browse.browse_appendix(t)
        return
    marks = a.searcher.parts.followup.related
    # A topic word names what more is wanted: rare in Chinese, or an everyday word (培训, 比赛) that only a
    # few catalogue texts use — not 服务 or 活动, which nearly every entry has.
    rare = max(len(a.searcher.index.docs) // 20, 1)
    # Any word of the turn may name the topic, an aspect word too (对接 in 还有类似的对接活动吗).
    words = dict.fromkeys(w for w in result.tokens if w not in a.searcher.lexicon.function_chars)
    topic = [w for w in words if not any(w in m or m in w for m in marks)
             and (not a.searcher.tokenizer.is_common(w, 10.0) or 0 < a.searcher.index.doc_freq(w) <= rare)]
    if topic:  # 还有别的跟院士有关的吗: more about that, not just more like the last answer
        others = [s for h in a.searcher.search("".join(topic)).hits
                  for s in [a.catalogue.service(h.id)] if s is not None and s.id != service.id][:4]
    else:
        others = related_services(a.catalogue, service, a.searcher.similar(service.id, 8), set(ctx.related))
    if not others:
        t.out.add(esc(texts.RELATED_NONE.format(title=service.title)), [[t.button("/browse", "br")]])
        return
    rows = [[t.button(f"{o.id} {o.title}"[:60], "sg", qid, o.id)] for o in others]
    t.out.add(esc(texts.RELATED_HEADER.format(title=service.title)), rows)
    t.session.context = replace(ctx, related=ctx.related + tuple(o.id for o in others), turns=ctx.turns + 1)


async def _sibling(t: Exchange, text: str, result: SearchResult, ctx: Context) -> bool:
    """那激光方面的呢 after a society: a society of that field; after an article: the article on that."""
    a = t.a
    if ctx.answer == "societies":
        match = a.searcher.societies.match(text + "学会")
        if not match.found:
            return False
        qid = await record.log_question(t, text, result, shown=None, decision="answered", reason="followup")
        t.out.add(render.societies_card(a.catalogue, match), views.feedback_row(t, qid), about="societies")
        t.session.context = replace(ctx, detail="|".join(match.names), turns=ctx.turns + 1, at=a.clock())
        return True
    if ctx.answer in ("enterprise-association-rules", "tast", "cast"):
        qid = await record.log_question(t, text, result, shown=None, decision="answered", reason="followup")
        views.show_answer(t, ctx.answer, ctx.text + " " + text, None, qid)
        return True
    return False
