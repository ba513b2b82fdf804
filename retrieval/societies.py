"""Societies by meaning: a partial name, a field or discipline, or the whole list.

天津市科协所属学会清单 lists 147 societies by discipline. People name them loosely — 化学学会 for
天津市化学会, 激光方面的学会, 有哪些学会, 有没有养蜂的学会 — so a question that speaks of a society (学会,
协会, 研究会 …) is matched by the distinctive words of each society's name, by a field word that points to
a discipline (data/lexicon/disciplines.yaml), or as a request for the list. A national society named as
such (中国化学会, 中国机械工程学会) is not one of Tianjin's and is not matched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .loader import DATA_DIR, CatalogueError, read_yaml
from .model import Catalogue
from .text import compact

CUES = ("学会", "协会", "研究会", "社团", "学术团体")
# Asking for the list itself: 有哪些学会, 一共多少个学会, 学会名单 — not 学会有哪些项目可以申报.
_LISTING = re.compile(r"(哪些|多少个?|几个|几家|所有|全部|什么)的?(市级)?(学会|协会|研究会)|"
                      r"(学会|协会|研究会)(的)?(名单|清单|名录|列表|目录)|(学会|协会|研究会)(有哪些|都有哪些|有多少|有几个)[吗呢？?]*$")
# A society named with a national prefix (中国化学会, 全国…学会) is not one of the Tianjin list.
_NATIONAL = re.compile(r"(中国|中华|全国|国际|世界|国家)[^，。、；？！,.;?!]{0,12}?(学会|协会|研究会)")
_NEAR = 8
_SUFFIX = re.compile(r"(学学会|研究学会|学会|研究会|协会|促进会)$")


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


def core_name(name: str) -> str:
    """Return a society's distinctive words: 天津市人工智能学会 → 人工智能, 天津市化学会 → 化学."""
    core = re.sub(r"^天津市?", "", name)
    if len(core) == 3 and core.endswith("学会"):  # 化学会, 农学会: the discipline word keeps its 学
        return core[:-1]
    return _SUFFIX.sub("", core)


def load_fields(data_dir: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """Load data/lexicon/disciplines.yaml: discipline → field words."""
    path = (Path(data_dir) if data_dir else DATA_DIR) / "lexicon" / "disciplines.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not all(isinstance(v, list) and all(isinstance(w, str) for w in v)
                                            for v in raw.values()):
        raise CatalogueError(path, None, None, "expected discipline: [field words]")
    return {str(k): tuple(compact(w) for w in v) for k, v in raw.items()}


class Societies:
    """Match questions to the societies list."""

    def __init__(self, catalogue: Catalogue, fields: dict[str, tuple[str, ...]], cut: Callable[[str], list[str]]
                 ) -> None:
        self.catalogue = catalogue
        unknown = set(fields) - {s.discipline for s in catalogue.societies.societies}
        if unknown:
            raise CatalogueError("data/lexicon/disciplines.yaml", None, sorted(unknown)[0],
                                 "not a discipline of the societies list")
        self.fields = fields
        self._cut = cut
        self.cores = [(s.name, compact(core_name(s.name))) for s in catalogue.societies.societies]
        # Words of the names that at most two societies share name a society on their own (激光 → 激光技术学会);
        # 工程, 技术, 医学 do not.
        words = {name: [w for w in cut(core) if len(w) >= 2] for name, core in self.cores}
        counts = Counter(w for ws in words.values() for w in set(ws))
        self._words = {name: [w for w in ws if counts[w] <= 2] for name, ws in words.items()}

    def match(self, question: str) -> SocietyMatch:
        """Return what the question asks about the societies (empty when it does not speak of Tianjin's)."""
        q = compact(question)
        # A cue counts as a word (化学学会, 农学会), not inside one (企业科协会员 has no 协会).
        if not any(w.endswith(c) for w in self._cut(q) for c in CUES):
            return SocietyMatch()
        if _NATIONAL.search(q) and "天津" not in q:
            return SocietyMatch()
        rest = q
        for c in CUES:  # words are looked for outside the cue words themselves (化学学会 has no 学学)
            rest = rest.replace(c, "|")
        for disc in self.fields:  # 医学类的学会 asks for a discipline, not for 天津市医学会
            if any(disc + tail in q for tail in ("类", "方面", "领域", "学科")):
                return SocietyMatch((), disc, "", True)
        listing = bool(_LISTING.search(q))
        cue_at = [m.start() for c in CUES for m in re.finditer(c, q)]

        def near_cue(word: str) -> bool:
            # The word must qualify the society word: 化学(方面的)学会, not 我们学会…科普活动.
            return any(0 <= c - (m.start() + len(word)) <= _NEAR for m in re.finditer(re.escape(word), q)
                       for c in cue_at)

        names = [name for name, core in self.cores
                 if compact(name) in q or compact(re.sub(r"^天津市?", "", name)) in q or
                 (len(core) >= 2 and core in rest and near_cue(core))]
        if not names:
            names = [name for name, _ in self.cores if any(w in rest and near_cue(w) for w in self._words[name])]
        shorts = {name: compact(re.sub(r"^天津市?", "", name)) for name in names}
        names = [n for n in names if not any(shorts[n] != shorts[m] and shorts[n] in shorts[m] for m in names)]
        discipline, field = "", ""
        if not names:
            for disc, fwords in self.fields.items():
                word = next((w for w in sorted(fwords, key=len, reverse=True) if w and w in rest and near_cue(w)), "")
                if word or disc in rest:
                    discipline, field = disc, word
                    break
        return SocietyMatch(tuple(names), discipline, field, listing)
