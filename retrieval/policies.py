"""Load and validate the policy documents of data/policies/ (one YAML file per document) into typed records.

    python -m retrieval.policies --check    # validate and print a one-line summary
    python -m retrieval.policies --json     # every document as JSON

Validation is strict and all-or-nothing, like the catalogue's: the first problem raises PolicyError whose message
is one line naming the file, the passage and the field.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .loader import DATA_DIR, CatalogueError, _Ctx, _url, data_cli, load_catalogue, read_yaml

POLICY_DIR = "policies"
SLUG = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
DOCUMENT_KEYS = {"id", "title", "subtitle", "short", "issuer", "date", "number", "source", "url", "headings",
                 "passages"}
PASSAGE_KEYS = {"id", "path", "label", "heading", "text", "lead", "services"}
HEADING_KEYS = {"path", "heading"}
# Printed facts that every file states, as "" when the seed prints none, so an omission is never silent.
STATED_KEYS = ("date", "number")


class PolicyError(CatalogueError):
    """A policy file is malformed; str() is one line naming file, passage and field."""

    entry_noun = "passage"


@dataclass(frozen=True)
class Heading:
    """A heading of a document that groups passages: its label path (三、 / （一）) and its words."""

    path: tuple[str, ...]
    heading: str

    @property
    def label(self) -> str:
        """Return the heading's own label as printed (the last of its path)."""
        return self.path[-1]


@dataclass(frozen=True)
class Passage:
    """The smallest numbered unit of a policy document (or an unnumbered paragraph), as printed."""

    document_id: str
    document_title: str
    id: str
    path: tuple[str, ...]
    label: str
    heading: str
    text: str
    context: tuple[Heading, ...] = ()
    lead: tuple[str, ...] = ()
    services: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        """Return 《title》 and the passage's place: the labels above it, then its label (its heading if unlabelled)."""
        return f"《{self.document_title}》{''.join(self.path)}{self.label or self.heading}"

    def to_json(self) -> dict[str, Any]:
        """Return the passage as JSON-ready data, with its citation."""
        return {"id": self.id, "path": list(self.path), "label": self.label, "heading": self.heading,
                "text": self.text, "lead": list(self.lead), "services": list(self.services),
                "context": [{"path": list(h.path), "heading": h.heading} for h in self.context],
                "citation": self.citation}


@dataclass(frozen=True)
class PolicyDocument:
    """One policy document: what it calls itself, who issued it and when, and its passages in order."""

    id: str
    title: str
    short: str
    issuer: str
    date: str
    number: str
    source: str
    passages: tuple[Passage, ...]
    headings: tuple[Heading, ...] = ()
    subtitle: str = ""
    url: str = ""
    file: str = ""

    def passage(self, passage_id: str) -> Passage | None:
        """Return the passage with this id, or None."""
        return next((p for p in self.passages if p.id == passage_id), None)

    def to_json(self) -> dict[str, Any]:
        """Return the document as JSON-ready data."""
        return {"id": self.id, "title": self.title, "subtitle": self.subtitle, "short": self.short,
                "issuer": self.issuer, "date": self.date, "number": self.number, "source": self.source,
                "url": self.url, "file": self.file,
                "headings": [{"path": list(h.path), "heading": h.heading} for h in self.headings],
                "passages": [p.to_json() for p in self.passages]}


def _slug(ctx: _Ctx, value: Any, field: str) -> str:
    if value is None:
        raise ctx.fail(field, "is required")
    if not isinstance(value, str):
        raise ctx.fail(field, f"id {value!r} must be quoted text, e.g. id: \"{value}\"")
    if not SLUG.match(value):
        raise ctx.fail(field, f"{value!r} is not an id of lower-case letters, digits, '.' and '-'")
    return value


def _printed(ctx: _Ctx, value: Any, field: str) -> str:
    """Return one line of text that may be "" (a label, a heading, a date the seed does not print)."""
    if not isinstance(value, str):
        raise ctx.fail(field, f"expected text (\"\" when none is printed; quote dates), got {value!r}")
    if "\n" in value.strip():
        raise ctx.fail(field, "must be a single line")
    return value.strip()


def _labels(ctx: _Ctx, value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ctx.fail(field, f"expected a list of labels, got {type(value).__name__}")
    return tuple(ctx.text(v, f"{field}[{i}]", one_line=True) for i, v in enumerate(value))


def _headings(ctx: _Ctx, raw: Any) -> dict[tuple[str, ...], Heading]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise ctx.fail("headings", f"expected a list, got {type(raw).__name__}")
    out: dict[tuple[str, ...], Heading] = {}
    for i, h in enumerate(raw):
        h = ctx.mapping(h, f"headings[{i}]", HEADING_KEYS)
        path = _labels(ctx, h.get("path"), f"headings[{i}].path")
        if not path:
            raise ctx.fail(f"headings[{i}].path", "is empty: a heading has at least its own label")
        if path in out:
            raise ctx.fail(f"headings[{i}].path", f"duplicate heading path {list(path)}")
        if len(path) > 1 and path[:-1] not in out:
            raise ctx.fail(f"headings[{i}].path", f"its parent {list(path[:-1])} is not declared before it")
        out[path] = Heading(path, ctx.text(h.get("heading"), f"headings[{i}].heading", one_line=True))
    return out


def _passage(ctx: _Ctx, raw: Any, index: int, doc_id: str, title: str, headings: dict[tuple[str, ...], Heading],
             service_ids: Collection[str]) -> Passage:
    ctx.entry = None
    data = ctx.mapping(raw, f"passages[{index}]")
    ctx.entry = _slug(ctx, data.get("id"), f"passages[{index}].id")
    ctx.mapping(data, None, PASSAGE_KEYS)
    for key in ("path", "label", "heading", "text"):
        if key not in data:
            raise ctx.fail(key, "is required" + (" (\"\" when none is printed)" if key in ("label", "heading") else ""))
    path = _labels(ctx, data["path"], "path")
    context: list[Heading] = []
    for depth in range(1, len(path) + 1):
        if path[:depth] not in headings:
            raise ctx.fail("path", f"{list(path[:depth])} is not a heading of this document (declare it under headings)")
        context.append(headings[path[:depth]])
    services = data.get("services") or []
    if not isinstance(services, list):
        raise ctx.fail("services", f"expected a list of service ids, got {type(services).__name__}")
    for i, sid in enumerate(services):
        if not isinstance(sid, str):
            raise ctx.fail(f"services[{i}]", f"service id {sid!r} must be quoted text, e.g. \"10\"")
        if sid not in service_ids:
            raise ctx.fail(f"services[{i}]", f"{sid!r} is not a catalogue service id")
    return Passage(
        document_id=doc_id,
        document_title=title,
        id=ctx.entry,
        path=path,
        label=_printed(ctx, data["label"], "label"),
        heading=_printed(ctx, data["heading"], "heading"),
        text=ctx.text(data["text"], "text"),
        context=tuple(context),
        lead=ctx.texts(data.get("lead"), "lead"),
        services=tuple(services),
    )


def _document(path: Path, root: Path, service_ids: Collection[str]) -> PolicyDocument:
    ctx = _Ctx(path, root, PolicyError)
    data = ctx.mapping(read_yaml(path, root), None, DOCUMENT_KEYS)
    for key in ("id", "title", "short", "issuer", "source", "passages", *STATED_KEYS):
        if key not in data:
            raise ctx.fail(key, "is required" + (" (\"\" when the seed prints none)" if key in STATED_KEYS else ""))
    doc_id = _slug(ctx, data["id"], "id")
    title = ctx.text(data["title"], "title", one_line=True)
    headings = _headings(ctx, data.get("headings"))
    raw = data["passages"]
    if not isinstance(raw, list) or not raw:
        raise ctx.fail("passages", "expected a non-empty list of passages")
    passages: list[Passage] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p = _passage(ctx, item, i, doc_id, title, headings, service_ids)
        if p.id in seen:
            raise ctx.fail("id", f"duplicate passage id {p.id!r}")
        seen.add(p.id)
        passages.append(p)
    ctx.entry = None
    return PolicyDocument(
        id=doc_id,
        title=title,
        subtitle=ctx.text(data.get("subtitle"), "subtitle", one_line=True, required=False),
        short=ctx.text(data["short"], "short", one_line=True),
        issuer=ctx.text(data["issuer"], "issuer", one_line=True),
        date=_printed(ctx, data["date"], "date"),
        number=_printed(ctx, data["number"], "number"),
        source=ctx.text(data["source"], "source", one_line=True),
        url=_url(ctx, data["url"], "url") if data.get("url") is not None else "",
        headings=tuple(headings.values()),
        passages=tuple(passages),
        file=str(ctx.file),
    )


def load_policies(data_dir: str | Path | None = None,
                  service_ids: Collection[str] | None = None) -> tuple[PolicyDocument, ...]:
    """Load, validate and return every data/policies/*.yaml under data_dir (default: the project's data/).

    service_ids are the catalogue ids a passage may link to; by default they are read from the catalogue.
    """
    root = Path(data_dir) if data_dir else DATA_DIR
    files = sorted((root / POLICY_DIR).glob("*.yaml"))
    if not files:
        raise PolicyError(root / POLICY_DIR, None, None, "no *.yaml policy files found")
    ids = service_ids if service_ids is not None else set(load_catalogue(root).by_id)
    documents: list[PolicyDocument] = []
    seen: dict[str, str] = {}
    for path in files:
        doc = _document(path, root, ids)
        if doc.id in seen:
            raise PolicyError(doc.file, None, "id", f"duplicate document id {doc.id!r} (also in {seen[doc.id]})")
        seen[doc.id] = doc.file
        documents.append(doc)
    return tuple(documents)


def summary(documents: tuple[PolicyDocument, ...]) -> str:
    """Return the one-line summary printed by --check."""
    passages = [p for d in documents for p in d.passages]
    linked = sum(1 for p in passages if p.services)
    counts = ", ".join(f"{d.id} {len(d.passages)}" for d in documents)
    return f"ok: {len(documents)} policy documents, {len(passages)} passages ({counts}), {linked} linked to services"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    return data_cli(argv, "python -m retrieval.policies", __doc__.splitlines()[0], "policy documents", load_policies,
                    summary, lambda documents: [d.to_json() for d in documents])


if __name__ == "__main__":
    sys.exit(main())
