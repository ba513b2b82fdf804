"""Turn the catalogue into searchable documents: one per service, several per appendix answer.

The words these documents add beyond the catalogue's own text (the societies list's names, the contact block's
labels, the 通则's cue words) are in data/lexicon/patterns.yaml.
"""

from __future__ import annotations

from .index import Doc
from .lexicon import Lexicon, Patterns
from .model import Catalogue, Organisation, Service
from .societies import core_name


def service_doc(s: Service) -> Doc:
    """Return the document of a service: title and aliases as name, every printed block as body."""
    body: list[str] = []
    for _, sec in s.blocks():
        body.extend(sec.lines())
    body.extend(s.notes)
    core = [line for sec in (s.introduction, s.conditions) if sec is not None for line in sec.lines()]
    return Doc(answer=s.id, key="", name="\n".join((s.title, *s.aliases)), body="\n".join(body),
               phrases=(s.title, *s.aliases), core="\n".join(core))


def _organisation_docs(org: Organisation, p: Patterns) -> list[Doc]:
    # Only the full name is a phrase: the short name (市科协, 中国科协) is in countless service questions.
    names = (org.name,)
    name = "\n".join((org.name, org.short_name, *p.organisation_extra_names))
    weak = (org.short_name,)
    docs = [Doc(answer=org.id, key="summary", name=name, body=org.summary, phrases=names, weak_phrases=weak)]
    for sec in org.sections:
        docs.append(Doc(answer=org.id, key=f"section:{sec.heading}", name=name,
                        body=sec.heading + "\n" + sec.plain(), phrases=names, weak_phrases=weak))
    c = org.contact
    labels = dict(zip(("contact", "address", "postcode", "phone", "website"), p.contact_words))
    docs.append(Doc(answer=org.id, key="contact", name=name, phrases=names, weak_phrases=weak,
                    body=f"{labels['contact']} {labels['address']} {c.address} {labels['postcode']} {c.postcode} "
                         f"{labels['phone']} {' '.join(c.phones)} {labels['website']} {' '.join(c.websites)}"))
    return docs


def appendix_docs(cat: Catalogue, lexicon: Lexicon) -> list[Doc]:
    """Return the documents of the appendix answers: tast, cast, enterprise-association-rules, societies."""
    p = lexicon.patterns
    assert p is not None
    docs: list[Doc] = []
    for org in cat.organisations:
        docs.extend(_organisation_docs(org, p))
    rules = cat.rules
    # The rules name their subject once, in full, then by the short name people use (以下简称企业科协).
    short = lexicon.pattern("short_name")
    called = [m.group(1) for a in rules.articles for m in short.finditer(a.text)]
    for a in rules.articles:
        docs.append(Doc(answer="enterprise-association-rules", key=f"article:{a.number}",
                        name="\n".join((rules.name, *p.rules_cues[:1], *called, a.chapter)), body=f"{a.label} {a.text}",
                        phrases=(rules.name,), requires=(rules.name, *p.rules_cues, *called)))
    soc = cat.societies
    groups = soc.by_discipline()
    summary = "、".join(f"{d}{len(v)}个" for d, v in groups.items())
    names = [s.name for s in soc.societies]
    prefix = lexicon.pattern("city_prefix")
    cues = p.society_cues
    docs.append(Doc(
        answer="societies", key="list",
        name="\n".join((soc.name, *p.societies_list_names)),
        body=p.societies_summary.format(count=len(names), groups=summary, disciplines=" ".join(groups)),
        phrases=(soc.name, *p.societies_list_names[:2], *names, *(prefix.sub("", n) for n in names)),
        cued_phrases=tuple(c for c in (core_name(n, lexicon) for n in names) if len(c) >= 2),
        cues=cues, requires=cues,
    ))
    # One small document per society, so a question naming one (人工智能学会) finds the list by BM25
    # as strongly as a service title would.
    for soc_entry in soc.societies:
        docs.append(Doc(answer="societies", key=f"society:{soc_entry.name}", name=soc_entry.name,
                        body=f"{soc_entry.discipline} {cues[0]}", phrases=(soc_entry.name, prefix.sub("", soc_entry.name)),
                        core=soc_entry.name, requires=cues))
    return docs


def build_docs(cat: Catalogue, lexicon: Lexicon) -> list[Doc]:
    """Return every searchable document of the catalogue."""
    return [service_doc(s) for s in cat.services] + appendix_docs(cat, lexicon)
