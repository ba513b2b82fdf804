"""Read a user's typed reply to one question of a flow: yes/no, an option, a number or a date.

    read_answer(question, text, reference) -> Reading   # the value to store, or why to ask again
    looks_like_answer(question, text) -> bool           # is the text an attempt to answer at all?

The reader never guesses. A reply it cannot read for certain is asked again with a message that says
what was wrong. The readings decided here (see tests/conversations/test_answers.py for the table):

Yes/no — every yes/no question accepts 不确定. Words of doubt (不知道, 说不清, 拿不准 …) and hedges
(应该是, 可能是, 大概是, 是吧 …) read as 不确定, so a hedge can never produce a ✅. A reply starting
with a negation (不, 没, 未, 非, 否 …) reads as no, so 不好, 不对, 不具备, 没有具备 are never yes.
A yes word (是, 有, 当然, 那当然, 没错 …) alone, or followed by words of the question itself (有本科 at
「具有大学本科…吗」) or words that mean them (中国人 at 「中国籍公民吗」), reads as yes. An answer with a detail is
read when the detail agrees: after a yes it repeats what is asked (对的 在南开大学全职), after a no it does not
(不是，已经工作了); a detail that negates, turns, hedges, asks or says the opposite (是的，已经工作了 at
「在读的…研究生吗」) is asked again, as are mixed replies (是的，但没有…). A level of education answers a question
that asks only for one at least: 我是博士毕业 or 有硕士 at 「本科及以上学历吗」 is yes, 大专 is no, 博士在读 is
asked again. Every word is in conversations/answers.yaml.

Options — an option's number, value, label, or the part of the label before its brackets. Otherwise
the reply is matched to the words of the labels: a reply naming a whole label beats one naming a whole
part (「企业」 in 「在单位任职（企业、…）」), which beats a piece of a part; the most specific wins.
Negation counts on both sides: 「在职」 does not match 「目前不在职」; it rules that option out, and
the user is asked which of the remaining options applies. Two options that still fit are never
guessed: the user is asked which one, naming both.

Numbers — Arabic (also full-width) or Chinese numerals (三十二, 两, 廿, 卅, 一百五). A qualifier
makes a bound, never the bare number: 以上/及以上/至少/不少于/满 → ≥ (以上 includes the number, as in
Chinese regulations); 超过/大于/高于/多于/不止 → >; 以下/以内/至多/不超过 → ≤; 不到/不足/少于/
低于/未满/将近 → <. 三四个, 2到3个, 二三十 are ranges; 三十多 is 31–39; 十几 is 11–19. Ages and
counts are whole numbers: an age is completed years (32.5 → 32; 超过32岁 → 33 or more), a count with
a fraction is asked again. A bound or range is stored as an interval, clipped to the question's
min–max. Approximate numbers (大概, 左右, 十来个, 几个) are asked again, except at a percentage
question (unit %), whose prompt itself asks for an estimate: there 大概八成 is 80. Shares: 八成 → 80,
七成五 → 75, 一半 → 50, 三分之二 → 66.7, 百分之八十 → 80, 80% → 80; a bare 0.8 is asked again
(「是指 80% 吗？」) rather than read as 0.8% or 80%. 没有 / 一个也没有 at a count question is 0.
Any other word that is neither filler nor taken from the question's prompt makes the reply unreadable.

Dates — 1988-05-01, 1988年5月1日, 1988.5.1, 1988/5/1, 19880501, 一九八八年五月一日. A year alone
(1988, 1988年出生) or a year and month (1988年5月, 1988.5) is stored as that whole year or month; the
engine accepts it only when every day in it gives the same result. A two-digit year (88年) is read as
the only century that gives a date between 1900 and the reference date, and asked again when both
do. Impossible dates (13月, 2月30日), dates before 1900 and after the reference date are asked again
with a message naming the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from . import texts
from .dates import _read_date
from .model import Question
from .numbers import _read_number, exact_example
from .options import _read_choice
from .reading import Reading, shorten
from .yesno import _read_yesno

__all__ = ["Reading", "exact_example", "hint", "looks_like_answer", "read_answer", "shorten"]


def read_answer(q: Question, text: str, reference: date | None = None) -> Reading:
    """Read a reply to question q; dates are checked against the reference date when given."""
    readers: dict[str, Callable[[Question, str, date | None], Reading]] = {
        "yesno": _read_yesno, "choice": _read_choice, "number": _read_number, "date": _read_date}
    if q.type not in readers:
        raise ValueError(f"unknown answer type {q.type!r}")
    return readers[q.type](q, text, reference)


def looks_like_answer(q: Question, text: str) -> bool:
    """Return True when the text tries to answer q (even if it must be asked again), not something else."""
    return read_answer(q, text, None).attempt


def hint(q: Question) -> str:
    """Return the line to show under a fact question that says where to find out, or ''."""
    return texts.FACT_HINT.format(help=q.help) if q.fact and q.help else ""
