"""Render catalogue records as Telegram HTML, and that HTML as plain text (the console chat, the staff console's
试一试, the review CLI). Every piece of catalogue or user text is escaped here."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from retrieval.aspects import Lead
from retrieval.model import Catalogue, Contact, Section, Service
from retrieval.policies import Passage, PolicyDocument
from retrieval.societies import SocietyMatch

from . import texts

# Longest lead section shown inside a card before it is cut with a "see all" button.
LEAD_LIMIT = 1600
INTRO_SHORT = 160
# A service's short name in the directory: its first alias of at most this many characters.
SHORT_NAME = 10

# Which card field each recognised intent leads with, and its button.
INTENT_FIELDS = {"conditions": "conditions", "cycle": "cycle", "how_to_apply": "how_to_apply"}
SECTION_WORDS = {"conditions": "申报条件", "cycle": "时间周期", "how_to_apply": "申报方式", "contact": "联系方式"}


def esc(text: str) -> str:
    """Escape text for Telegram HTML."""
    return html.escape(text, quote=False)


def to_plain(markup: str) -> str:
    """Turn the assistant's Telegram HTML into plain text."""
    text = re.sub(r"</?(b|i|u|s|code|pre)>", "", markup)
    return html.unescape(text)


def _bold(text: str) -> str:
    return f"<b>{esc(text)}</b>"


def section_lines(sec: Section, limit: int | None = None, button: str = "") -> list[str]:
    """Return a section as escaped lines under its bold heading, cut at `limit` characters."""
    lines = [_bold(sec.heading)]
    used = 0
    for line in sec.lines():
        if limit is not None and used + len(line) > limit and used > 0:
            lines.append(esc(texts.TRUNCATED.format(button=button)))
            break
        lines.append(esc(line))
        used += len(line)
    return lines


def contact_lines(c: Contact) -> list[str]:
    """Return the department, phones and other contact details of an entry."""
    lines = [f"{_bold(texts.CONTACT_LABEL)}：{esc(c.department)}",
             f"{_bold(texts.PHONE_LABEL)}：{esc('、'.join(c.phones))}"]
    if c.fax:
        lines.append(f"{_bold(texts.FAX_LABEL)}：{esc('、'.join(c.fax))}")
    if c.emails:
        lines.append(f"{_bold(texts.EMAIL_LABEL)}：{esc('、'.join(c.emails))}")
    if c.websites:
        lines.append(f"{_bold(texts.WEBSITE_LABEL)}：{esc(' '.join(c.websites))}")
    return lines


def _short(text: str, limit: int = INTRO_SHORT) -> str:
    first = text.split("\n")[0]
    return first if len(first) <= limit else first[:limit].rstrip("，、；") + "…"


def title_line(s: Service) -> str:
    """Return the bold id and title of a service."""
    return _bold(f"{s.id} {s.title}")


def _lead_lines(leads: Iterable[Lead]) -> list[str]:
    """Return the quoted sentences that answer the question, or the line saying the text does not say."""
    out: list[str] = []
    for lead in leads:
        if lead.sentences:
            out.append(f"{_bold(texts.LEAD_LABEL)}：")
            out += [esc(texts.QUOTE.format(text=sentence)) for sentence in lead.sentences]
        elif lead.aspect.missing:
            out.append(esc(texts.LEAD_MISSING.format(what=lead.aspect.missing)))
        else:
            out.append(esc(texts.LEAD_MISSING_GENERAL))
        out.append("")
    return out


def service_card(s: Service, intents: Iterable[str] = (), leads: Iterable[Lead] = ()) -> str:
    """Return the answer card: title, what was asked first, a short description, audience, contact.

    `leads` are the entry's own sentences that answer what the question asked beyond the card's fixed
    sections (money, ages, who may take part, numbers): quoted first, or a plain line when the entry
    does not say.
    """
    intents, leads = tuple(intents), tuple(leads)
    quoted = {sentence for lead in leads for sentence in lead.sentences}
    # Everything asked that the entry does not print is said once, in one line (an aspect and a section
    # may both ask for it).
    missing = list(dict.fromkeys([lead.aspect.missing for lead in leads if not lead.sentences and lead.aspect.missing]
                                 + [f"“{SECTION_WORDS[i]}”" for i in intents
                                    if INTENT_FIELDS.get(i) and getattr(s, INTENT_FIELDS[i]) is None]))
    out = [title_line(s), f"<i>{esc(s.part)} · {esc(s.section)}</i>", ""]
    out += _lead_lines(lead for lead in leads if lead.sentences or not lead.aspect.missing)
    if missing:
        out += [esc(texts.LEAD_MISSING.format(what="、".join(missing))), ""]
    shown: set[str] = set()
    if "contact" in intents:
        out += contact_lines(s.contact) + [""]
        shown.add("contact")
    for intent in intents:
        name = INTENT_FIELDS.get(intent)
        if not name:
            continue
        sec = getattr(s, name)
        if sec is None:
            continue
        shown.add(name)
        if set(sec.lines()) <= quoted:
            continue  # already quoted whole as the sentence that answers (评审时间 for 几月评)
        button = texts.BTN_CONDITIONS if name == "conditions" else texts.BTN_APPLY
        out += section_lines(sec, LEAD_LIMIT, button) + [""]
    if "what" in intents:
        out += section_lines(s.introduction, LEAD_LIMIT, texts.BTN_FULL) + [""]
    elif not any(sentence in _short(s.introduction.text or " ".join(s.introduction.items)) or
                 _short(s.introduction.text or "").rstrip("…") in sentence for sentence in quoted):
        # (the short introduction is left out when it is the sentence already quoted as the answer)
        out += [f"{_bold(s.introduction.heading)}：{esc(_short(s.introduction.text or ' '.join(s.introduction.items)))}"]
    if s.audience is not None:
        out.append(f"{_bold(s.audience.heading)}：{esc(_short(s.audience.plain(), 120))}")
    if s.cycle is not None and "cycle" not in shown:
        out.append(f"{_bold(s.cycle.heading)}：{esc(_short(s.cycle.plain(), 120))}")
    if "contact" not in shown:
        out += [""] + contact_lines(s.contact)
    return "\n".join(out).strip()


def compare_block(s: Service, leads: Iterable[Lead]) -> str:
    """Return one side of a comparison: the service, its sentences that answer (or that it does not say), whom
    to call."""
    lines = [title_line(s)] + _lead_lines(leads)
    if not any(lead.sentences for lead in leads) and s.audience is not None:
        lines.append(f"{_bold(s.audience.heading)}：{esc(_short(s.audience.plain(), 120))}")
    return "\n".join(lines + contact_lines(s.contact)).strip()


# Longest policy passage quoted whole; a longer one is cut after the sentence that answers.
PASSAGE_LIMIT = 700


def policy_card(p: Passage, document: PolicyDocument, lead: str = "") -> str:
    """Return a policy passage: the sentence that answers first, the passage quoted, its citation and who leads."""
    out = []
    if lead:
        out += [f"<b>{esc(lead)}</b>", ""]
    text = p.text if len(p.text) <= PASSAGE_LIMIT else p.text[:PASSAGE_LIMIT].rstrip("，、；") + "…"
    out += [f"{_bold(texts.POLICY_HEADER)}：", esc(texts.QUOTE.format(text=text))]
    if p.lead:
        out.append(f"{_bold(texts.POLICY_LEAD_UNITS)}：{esc('；'.join(p.lead))}")
    issued = texts.POLICY_ISSUED.format(issuer=document.issuer, date=f"，{document.date}" if document.date else "",
                                        number=f"，{document.number}" if document.number else "")
    out += ["", esc(texts.POLICY_SOURCE.format(citation=p.citation)) + esc(issued)]
    return "\n".join(out)


def service_section(s: Service, which: str) -> str:
    """Return one part of a service in full: cond (conditions), apply (how to apply), contact, full."""
    out = [title_line(s), ""]
    if which == "cond":
        secs = [x for x in (s.conditions, s.audience) if x is not None]
        if not secs:
            out.append(esc(texts.SECTION_MISSING.format(what=SECTION_WORDS["conditions"])))
        for sec in secs:
            out += section_lines(sec) + [""]
    elif which == "apply":
        secs = [x for x in (s.how_to_apply, s.cycle) if x is not None]
        if not secs:
            out.append(esc(texts.SECTION_MISSING.format(what=SECTION_WORDS["how_to_apply"])))
        for sec in secs:
            out += section_lines(sec) + [""]
        for d in s.documents:
            out.append(f"{_bold(texts.DOCUMENT_LABEL)}：{esc(d.title)} {esc(d.url)}")
    elif which == "full":
        for _, sec in s.blocks():
            out += section_lines(sec) + [""]
        for d in s.documents:
            out.append(f"{_bold(texts.DOCUMENT_LABEL)}：{esc(d.title)} {esc(d.url)}")
        for n in s.notes:
            out.append(f"{_bold(texts.NOTE_LABEL)}：{esc(n)}")
    out += [""] + contact_lines(s.contact)
    return "\n".join(out).strip()


def short_name(s: Service) -> str:
    """Return what people call a service: its first alias when short, else its shortest alias, else its title."""
    short = [a for a in s.aliases if len(a) <= SHORT_NAME]
    return short[0] if short else min(s.aliases, key=len) if s.aliases else s.title


def contact_directory(cat: Catalogue) -> str:
    """Return the department directory: each 联系部门, and under it each of its phones (or pairs of phones, as the
    entries print them) with the services that print it, by number and short name."""
    out = [texts.CONTACT_HEADER, ""]
    for d in cat.departments:
        groups: dict[tuple[str, ...], list[Service]] = {}
        for s in cat.services:
            if s.id in d.service_ids:
                groups.setdefault(tuple(sorted(s.contact.phones, key=d.phones.index)), []).append(s)
        out.append(texts.CONTACT_DEPARTMENT.format(name=esc(d.name)))
        for phones, services in sorted(groups.items(), key=lambda g: -len(g[1])):
            names = "、".join(f"{s.id} {short_name(s)}" for s in services)
            out.append(texts.CONTACT_PHONES.format(phones=esc("、".join(phones)), services=esc(names)))
        out.append("")
    tast = cat.organisation("tast")
    out.append(esc(texts.SWITCHBOARD.format(phone=tast.contact.phones[0], address=tast.contact.address)))
    return "\n".join(out).strip()


def organisation_card(cat: Catalogue, org_id: str, key: str = "", leads: Iterable[Lead] = ()) -> str:
    """Return an introduction of 天津市科协 or 中国科协, leading with the sentences that answer, then the matched section."""
    org = cat.organisation(org_id)
    out = [_bold(org.name)] + _lead_lines(leads) + [esc(org.summary), ""]
    if key.startswith("section:"):
        heading = key.split(":", 1)[1]
        for sec in org.sections:
            if sec.heading == heading:
                out += section_lines(sec, LEAD_LIMIT, texts.BTN_FULL) + [""]
    c = org.contact
    out.append(esc(texts.ORG_CONTACT.format(address=c.address, postcode=c.postcode, phones="、".join(c.phones),
                                            websites=" ".join(c.websites))))
    return "\n".join(out).strip()


def rules_card(cat: Catalogue, article_numbers: Iterable[int], contact_service: Service | None) -> str:
    """Return the matched articles of 《企业科学技术协会组织通则》."""
    rules = cat.rules
    out = [_bold(texts.RULES_HEADER.format(name=rules.name)), ""]
    for n in article_numbers:
        a = rules.articles[n - 1]
        out.append(f"<i>{esc(a.chapter)}</i>")
        out.append(f"{_bold(a.label)} {esc(a.text)}")
        out.append("")
    out.append(esc(texts.RULES_MORE.format(count=len(rules.articles))))
    if contact_service is not None:
        out += ["", esc(texts.RULES_CONTACT.format(service=contact_service.id, title=contact_service.title))]
        out += contact_lines(contact_service.contact)
    return "\n".join(out).strip()


def societies_card(cat: Catalogue, match: SocietyMatch) -> str:
    """Return the societies a question names, those of the discipline it names, or the list's summary."""
    soc = cat.societies
    groups = soc.by_discipline()
    out: list[str] = []
    if match.names:
        out.append(esc(texts.SOCIETIES_MATCHED))
        by_name = {s.name: s for s in soc.societies}
        for name in match.names:
            s = by_name[name]
            out.append(f"• {esc(s.name)}（{esc(s.discipline)}第{s.number}号）")
        out.append("")
    elif match.discipline:
        if match.field:  # 有没有养蜂的学会: none by that name; the discipline's societies instead
            out.append(esc(texts.SOCIETY_NONE.format(field=match.field, discipline=match.discipline)))
        else:
            out.append(texts.SOCIETIES_BY_DISCIPLINE.format(discipline=esc(match.discipline),
                                                            count=len(groups[match.discipline])))
        out.append("、".join(esc(s.name) for s in groups[match.discipline]))
        out.append("")
    summary = "、".join(f"{d} {len(v)} 个" for d, v in groups.items())
    out.append(texts.SOCIETIES_SUMMARY.format(count=len(soc.societies), as_of=esc(soc.as_of), groups=esc(summary)))
    out += [""] + contact_lines(soc.contact)
    return "\n".join(out).strip()


def societies_of(cat: Catalogue, discipline: str) -> str:
    """Return every society of one discipline."""
    members = cat.societies.by_discipline()[discipline]
    out = [texts.SOCIETIES_BY_DISCIPLINE.format(discipline=esc(discipline), count=len(members))]
    out += [f"{s.number}. {esc(s.name)}" for s in members]
    out += [""] + contact_lines(cat.societies.contact)
    return "\n".join(out)
