"""The catalogue model: immutable records loaded from data/ by retrieval.loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

# Fields of a service that hold a titled block of catalogue text, in the order a card shows them.
SECTION_FIELDS: tuple[str, ...] = (
    "introduction",
    "audience",
    "conditions",
    "cycle",
    "how_to_apply",
    "organisers",
    "implementer",
)

# Appendix pseudo-ids that retrieval answers under, besides the service ids "01"–"72".
APPENDIX_IDS: tuple[str, ...] = ("societies", "tast", "cast", "enterprise-association-rules")


@dataclass(frozen=True)
class Section:
    """A block of catalogue text under the heading the source prints for it."""

    heading: str
    text: str = ""
    items: tuple[str, ...] = ()
    note: str = ""

    def lines(self) -> list[str]:
        """Return the block as display lines: text paragraphs, then items, then the note."""
        out = [p for p in self.text.split("\n") if p]
        out.extend(self.items)
        if self.note:
            out.append(self.note)
        return out

    def plain(self) -> str:
        """Return all of the block's text as one string."""
        return "\n".join(self.lines())


@dataclass(frozen=True)
class Contact:
    """Whom to call for a service: the 联系部门 as printed and its numbers."""

    department: str
    phones: tuple[str, ...]
    fax: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """A notice or rule the entry links to."""

    title: str
    url: str


@dataclass(frozen=True)
class Tags:
    """Service-finder tags: who the service is for and what need it meets."""

    audience: tuple[str, ...] = ()
    need: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    """One of the 72 numbered services of the catalogue."""

    id: str
    title: str
    part: str
    part_number: int
    section: str
    contact: Contact
    introduction: Section
    audience: Section | None = None
    conditions: Section | None = None
    cycle: Section | None = None
    how_to_apply: Section | None = None
    organisers: Section | None = None
    implementer: Section | None = None
    other: tuple[Section, ...] = ()
    aliases: tuple[str, ...] = ()
    tags: Tags = field(default_factory=Tags)
    documents: tuple[Document, ...] = ()
    notes: tuple[str, ...] = ()
    source_file: str = ""

    def blocks(self) -> Iterator[tuple[str, Section]]:
        """Yield (field, section) for every block the entry prints, in card order."""
        for name in SECTION_FIELDS:
            sec = getattr(self, name)
            if sec is not None:
                yield name, sec
        for sec in self.other:
            yield "other", sec


@dataclass(frozen=True)
class Society:
    """A member society of 天津市科协 with its discipline group."""

    discipline: str
    number: int
    name: str


@dataclass(frozen=True)
class SocietyList:
    """天津市科协所属学会清单."""

    name: str
    as_of: str
    contact: Contact
    societies: tuple[Society, ...]

    def by_discipline(self) -> dict[str, list[Society]]:
        """Group the societies by discipline, keeping the source order."""
        out: dict[str, list[Society]] = {}
        for s in self.societies:
            out.setdefault(s.discipline, []).append(s)
        return out


@dataclass(frozen=True)
class OrgContact:
    """Address block of an organisation introduction."""

    address: str
    postcode: str
    phones: tuple[str, ...]
    websites: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    """The 天津市科协 or 中国科协 introduction of the appendix."""

    id: str
    name: str
    short_name: str
    summary: str
    sections: tuple[Section, ...]
    contact: OrgContact


@dataclass(frozen=True)
class Article:
    """One article of 《企业科学技术协会组织通则》."""

    number: int
    label: str
    chapter: str
    text: str


@dataclass(frozen=True)
class Rules:
    """《企业科学技术协会组织通则》 by article."""

    name: str
    articles: tuple[Article, ...]
    contact_service: str = ""


@dataclass(frozen=True)
class Department:
    """A 联系部门 with the phones and services collected from the entries."""

    name: str
    aliases: tuple[str, ...]
    phones: tuple[str, ...]
    service_ids: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """The whole validated catalogue: services, appendix and department directory."""

    services: tuple[Service, ...]
    societies: SocietyList
    organisations: tuple[Organisation, ...]
    rules: Rules
    departments: tuple[Department, ...]
    tags: dict[str, dict[str, str]]
    # English names of the answers (data/english.yaml), for the one English line an English question gets.
    english: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    by_id: dict[str, Service] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({s.id: s for s in self.services})

    def service(self, service_id: str) -> Service | None:
        """Return the service with this id, or None."""
        return self.by_id.get(service_id)

    def organisation(self, org_id: str) -> Organisation:
        """Return the appendix organisation ("tast" or "cast")."""
        return next(o for o in self.organisations if o.id == org_id)

    def department(self, name: str) -> Department | None:
        """Return the department a printed 联系部门 name belongs to."""
        for d in self.departments:
            if name == d.name or name in d.aliases:
                return d
        return None

    def parts(self) -> list[tuple[int, str, list[str]]]:
        """Return (part number, part name, section names) in catalogue order."""
        out: list[tuple[int, str, list[str]]] = []
        for s in self.services:
            if not out or out[-1][0] != s.part_number:
                out.append((s.part_number, s.part, []))
            if s.section not in out[-1][2]:
                out[-1][2].append(s.section)
        return out

    def to_json(self) -> dict[str, Any]:
        """Return the catalogue as plain JSON-ready data."""
        return {
            "services": [service_json(s) for s in self.services],
            "departments": [
                {"name": d.name, "aliases": list(d.aliases), "phones": list(d.phones), "services": list(d.service_ids)}
                for d in self.departments
            ],
            "societies": {
                "name": self.societies.name,
                "as_of": self.societies.as_of,
                "contact": contact_json(self.societies.contact),
                "societies": [
                    {"discipline": s.discipline, "number": s.number, "name": s.name} for s in self.societies.societies
                ],
            },
            "organisations": [
                {
                    "id": o.id,
                    "name": o.name,
                    "short_name": o.short_name,
                    "summary": o.summary,
                    "sections": [section_json(s) for s in o.sections],
                    "contact": {
                        "address": o.contact.address,
                        "postcode": o.contact.postcode,
                        "phones": list(o.contact.phones),
                        "websites": list(o.contact.websites),
                    },
                }
                for o in self.organisations
            ],
            "enterprise_association_rules": {
                "name": self.rules.name,
                "articles": [
                    {"number": a.number, "label": a.label, "chapter": a.chapter, "text": a.text}
                    for a in self.rules.articles
                ],
            },
        }


def section_json(sec: Section) -> dict[str, Any]:
    """Return a section as JSON-ready data."""
    return {"heading": sec.heading, "text": sec.text, "items": list(sec.items), "note": sec.note}


def contact_json(c: Contact) -> dict[str, Any]:
    """Return a contact block as JSON-ready data."""
    return {
        "department": c.department,
        "phones": list(c.phones),
        "fax": list(c.fax),
        "emails": list(c.emails),
        "websites": list(c.websites),
    }


def service_json(s: Service) -> dict[str, Any]:
    """Return a service as JSON-ready data."""
    data: dict[str, Any] = {
        "id": s.id,
        "title": s.title,
        "part": s.part,
        "section": s.section,
        "aliases": list(s.aliases),
        "tags": {"audience": list(s.tags.audience), "need": list(s.tags.need)},
    }
    for name in SECTION_FIELDS:
        sec = getattr(s, name)
        data[name] = section_json(sec) if sec else None
    data["other"] = [section_json(x) for x in s.other]
    data["contact"] = contact_json(s.contact)
    data["documents"] = [{"title": d.title, "url": d.url} for d in s.documents]
    data["notes"] = list(s.notes)
    return data
