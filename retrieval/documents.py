"""Turn the catalogue into searchable documents: one per service, several per appendix answer."""

from __future__ import annotations

import re

from .index import Doc
from .model import Catalogue, Organisation, Service

SOCIETY_CUES = ("学会", "协会", "研究会", "社团", "学术团体")


def service_doc(s: Service) -> Doc:
    """Return the document of a service: title and aliases as name, every printed block as body."""
    body: list[str] = []
    for _, sec in s.blocks():
        body.extend(sec.lines())
    body.extend(s.notes)
    core = [line for sec in (s.introduction, s.conditions) if sec is not None for line in sec.lines()]
    return Doc(answer=s.id, key="", name="\n".join((s.title, *s.aliases)), body="\n".join(body),
               phrases=(s.title, *s.aliases), core="\n".join(core))


def _organisation_docs(org: Organisation) -> list[Doc]:
    # Only the full name is a phrase: the short name (市科协, 中国科协) is in countless service questions.
    names = (org.name,)
    name = "\n".join((org.name, org.short_name, "简介"))
    weak = (org.short_name,)
    docs = [Doc(answer=org.id, key="summary", name=name, body=org.summary, phrases=names, weak_phrases=weak)]
    for sec in org.sections:
        docs.append(Doc(answer=org.id, key=f"section:{sec.heading}", name=name,
                        body=sec.heading + "\n" + sec.plain(), phrases=names, weak_phrases=weak))
    c = org.contact
    docs.append(Doc(answer=org.id, key="contact", name=name, phrases=names, weak_phrases=weak,
                    body=f"联系方式 地址 {c.address} 邮编 {c.postcode} 电话 {' '.join(c.phones)} 网址 "
                         f"{' '.join(c.websites)}"))
    return docs


def _society_core(name: str) -> str:
    """Return a society's distinctive words: 天津市人工智能学会 → 人工智能."""
    core = re.sub(r"^天津市?", "", name)
    return re.sub(r"(学学会|学会|研究学会|研究会|协会|促进会)$", "", core)


def appendix_docs(cat: Catalogue) -> list[Doc]:
    """Return the documents of the appendix answers: tast, cast, enterprise-association-rules, societies."""
    docs: list[Doc] = []
    for org in cat.organisations:
        docs.extend(_organisation_docs(org))
    rules = cat.rules
    # The rules name their subject once, in full, then by the short name people use (以下简称企业科协).
    called = [m.group(1) for a in rules.articles for m in re.finditer(r"以下简称([^）)，,。]{2,8})[）)]", a.text)]
    for a in rules.articles:
        docs.append(Doc(answer="enterprise-association-rules", key=f"article:{a.number}",
                        name="\n".join((rules.name, "通则", *called, a.chapter)), body=f"{a.label} {a.text}",
                        phrases=(rules.name,), requires=(rules.name, "通则", "科协", *called)))
    soc = cat.societies
    groups = soc.by_discipline()
    summary = "、".join(f"{d}{len(v)}个" for d, v in groups.items())
    names = [s.name for s in soc.societies]
    docs.append(Doc(
        answer="societies", key="list",
        name=f"{soc.name}\n所属学会\n学会清单\n市级学会",
        body=f"天津市科协所属学会、协会、研究会共{len(names)}个，按学科分为{summary}。学科 理学 工学 医学 农学 交叉学科",
        phrases=(soc.name, "所属学会", "学会清单", *names, *(re.sub(r"^天津市?", "", n) for n in names)),
        cued_phrases=tuple(c for c in (_society_core(n) for n in names) if len(c) >= 2),
        cues=SOCIETY_CUES, requires=SOCIETY_CUES,
    ))
    # One small document per society, so a question naming one (人工智能学会) finds the list by BM25
    # as strongly as a service title would.
    for soc_entry in soc.societies:
        short = re.sub(r"^天津市?", "", soc_entry.name)
        docs.append(Doc(answer="societies", key=f"society:{soc_entry.name}", name=soc_entry.name,
                        body=f"{soc_entry.discipline} 学会", phrases=(soc_entry.name, short), core=soc_entry.name,
                        requires=SOCIETY_CUES))
    return docs


def build_docs(cat: Catalogue) -> list[Doc]:
    """Return every searchable document of the catalogue."""
    return [service_doc(s) for s in cat.services] + appendix_docs(cat)

