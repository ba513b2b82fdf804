"""Societies by meaning: a partial name, a field or discipline, or the whole list.

天津市科协所属学会清单 lists 147 societies by discipline. People name them loosely — 化学学会 for
天津市化学会, 激光方面的学会, 有哪些学会, 有没有养蜂的学会 — so a question that speaks of a society (学会,
协会, 研究会 …) is matched by the distinctive words of each society's name, by a field word that points to
a discipline (data/lexicon/disciplines.yaml), or as a request for the list (the patterns are in
data/lexicon/patterns.yaml). A national society named as
such (中国化学会, 中国机械工程学会) is not one of Tianjin's and is not matched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .lexicon import Lexicon
from .loader import CatalogueError
from .model import Catalogue
from .text import compact

_NEAR = 8


@dataclass(frozen=True)
class SocietyMatch:
    """What a question asks about the societies list."""

    names: tuple[str, ...] = ()   # societies it names, fully or by a distinctive word
    discipline: str = ""          # the discipline it names, or whose field it names
    field: str = ""               # the field word it asked about (养蜂), when no society has it in its name
    listing: bool = False         # it asks for the list (有哪些学会, 一共多少个)

    @property
    def found(self) -> bool:
        """Return True when the question is about the societies list at all."""
        return bool(self.names or self.discipline or self.listing)


def core_name(name: str, lexicon: Lexicon) -> str:
    """Return a society's distinctive words: 天津市人工智能学会 → 人工智能, 天津市化学会 → 化学."""
    core = lexicon.pattern("city_prefix").sub("", name)
    bare = lexicon.pattern("society_suffix").sub("", core)
    # 化学会, 农学会: a one-character name before its ending keeps its 学 (the ending took it).
    return core[:-1] if len(bare) == 1 and len(core) == 3 else bare


class Societies:
    """Match questions to the societies list."""

    def __init__(self, catalogue: Catalogue, lexicon: Lexicon, cut: Callable[[str], list[str]]) -> None:
        self.catalogue = catalogue
        fields = {d: tuple(compact(w) for w in ws) for d, ws in lexicon.disciplines.items()}
        self.cues = lexicon.patterns.society_cues if lexicon.patterns else ()
        self.tails = lexicon.patterns.discipline_tails if lexicon.patterns else ()
        self.city = lexicon.city
        self._prefix = lexicon.pattern("city_prefix")
        self._listing = lexicon.pattern("society_listing")
        self._national = lexicon.pattern("society_national")
        unknown = set(fields) - {s.discipline for s in catalogue.societies.societies}
        if unknown:
            raise CatalogueError("data/lexicon/disciplines.yaml", None, sorted(unknown)[0],
                                 "not a discipline of the societies list")
        self.fields = fields
        self._cut = cut
        self.cores = [(s.name, compact(core_name(s.name, lexicon))) for s in catalogue.societies.societies]
        # Words of the names that at most two societies share name a society on their own (激光 → 激光技术学会);
        # 工程, 技术, 医学 do not.
        words = {name: [w for w in cut(core) if len(w) >= 2] for name, core in self.cores}
        counts = Counter(w for ws in words.values() for w in set(ws))
        self._words = {name: [w for w in ws if counts[w] <= 2] for name, ws in words.items()}
        # Each society's name compacted, with and without the city prefix.
        self._compact = {name: compact(name) for name, _ in self.cores}
        self._short = {name: compact(self._prefix.sub("", name)) for name, _ in self.cores}

    def match(self, question: str) -> SocietyMatch:
        """Return what the question asks about the societies (empty when it does not speak of Tianjin's)."""
        q = compact(question)
        if not any(c in q for c in self.cues):  # (what the next line asks cannot hold; without cutting the text)
            return SocietyMatch()
        # A cue counts as a word (化学学会, 农学会), not inside one (企业科协会员 has no 协会).
        if not any(w.endswith(c) for w in self._cut(q) for c in self.cues):
            return SocietyMatch()
        if self._national.search(q) and self.city not in q:
            return SocietyMatch()
        rest = q
        for c in self.cues:  # words are looked for outside the cue words themselves (化学学会 has no 学学)
            rest = rest.replace(c, "|")
        for disc in self.fields:  # 医学类的学会 asks for a discipline, not for 天津市医学会
            if any(disc + tail in q for tail in self.tails):
                return SocietyMatch((), disc, "", True)
        listing = bool(self._listing.search(q))
        cue_at = [m.start() for c in self.cues for m in re.finditer(c, q)]

        def near_cue(word: str) -> bool:
            # The word must qualify the society word: 化学(方面的)学会, not 我们学会…科普活动.
            return any(0 <= c - (m.start() + len(word)) <= _NEAR for m in re.finditer(re.escape(word), q)
                       for c in cue_at)

        names = [name for name, core in self.cores
                 if self._compact[name] in q or self._short[name] in q or
                 (len(core) >= 2 and core in rest and near_cue(core))]
        if not names:
            names = [name for name, _ in self.cores if any(w in rest and near_cue(w) for w in self._words[name])]
        shorts = {name: self._short[name] for name in names}
        names = [n for n in names if not any(shorts[n] != shorts[m] and shorts[n] in shorts[m] for m in names)]
        discipline, field = "", ""
        if not names:
            for disc, fwords in self.fields.items():
                word = next((w for w in sorted(fwords, key=len, reverse=True) if w and w in rest and near_cue(w)), "")
                if word or disc in rest:
                    discipline, field = disc, word
                    break
        return SocietyMatch(tuple(names), discipline, field, listing)
