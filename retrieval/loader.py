"""Load and validate the catalogue YAML in data/ into retrieval.model records.

Validation is strict and all-or-nothing: the first problem raises CatalogueError whose message is one
line naming the file, the entry and the field, and nothing is returned half-loaded.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

from .model import (
    APPENDIX_IDS,
    SECTION_FIELDS,
    Article,
    Catalogue,
    Contact,
    Department,
    Document,
    Organisation,
    OrgContact,
    Rules,
    Section,
    Service,
    Society,
    SocietyList,
    Tags,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

SERVICE_COUNT = 72
PART_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
DISCIPLINES = ("理学", "工学", "医学", "农学", "交叉")

TIANJIN_PHONE = re.compile(r"^022-\d{8}$")
ANY_PHONE = re.compile(r"^0\d{2,3}-\d{7,8}$")
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
ID_PATTERN = re.compile(r"^\d\d$")

SERVICE_KEYS = {"id", "title", "section", "aliases", "tags", "other", "contact", "documents", "notes", *SECTION_FIELDS}
REQUIRED_SERVICE_KEYS = ("id", "title", "section", "introduction", "contact")
SECTION_KEYS = {"heading", "text", "items", "note"}
CONTACT_KEYS = {"department", "phones", "fax", "emails", "websites"}


class StrictLoader(yaml.SafeLoader):
    """yaml.SafeLoader that rejects duplicate keys instead of silently keeping the last one."""


def _mapping_without_duplicates(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)

if getattr(yaml, "__with_libyaml__", False):
    class StrictCLoader(yaml.CSafeLoader):
        """libyaml's SafeLoader (several times faster) with the same duplicate-key rejection."""

    StrictCLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
    FAST_LOADER: type[Any] = StrictCLoader
else:  # PyYAML built without libyaml
    FAST_LOADER = StrictLoader


def read_yaml(path: Path, root: Path | None = None) -> Any:
    """Parse a YAML data file strictly; any problem is a one-line CatalogueError naming the file."""
    if FAST_LOADER is not StrictLoader:
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)  # noqa: S506 - a SafeLoader
        except Exception:  # noqa: BLE001, S110 - the reference loader below reports it in its own words
            pass
    # The pure-Python loader is the reference: it decides every error and its message (line numbers,
    # wording), so a broken file reads the same whichever parser is installed.
    ctx = _Ctx(path, root or path.parent)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except FileNotFoundError:
        raise ctx.fail(None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ctx.fail(None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ctx.fail(None, f"{where}YAML error: {problem}") from None


class CatalogueError(ValueError):
    """A data file is malformed; str() is one line naming file, entry and field."""

    # What the message calls the record it names; sibling errors for other data (policy passages) say their own.
    entry_noun = "entry"

    def __init__(self, file: str | Path, entry: str | None, field: str | None, problem: str) -> None:
        self.file = str(file)
        self.entry = entry
        self.field = field
        self.problem = problem
        where = [self.file]
        if entry is not None:
            where.append(f"{self.entry_noun} {entry}")
        if field:
            where.append(f"field {field}")
        super().__init__(": ".join(where) + ": " + problem)


class _Ctx:
    """Where we are while validating, so every error can name file, entry and field."""

    def __init__(self, file: Path, root: Path, error: type[CatalogueError] = CatalogueError) -> None:
        try:
            self.file = file.relative_to(root.parent)
        except ValueError:
            self.file = file
        self.entry: str | None = None
        self.error = error

    def fail(self, field: str | None, problem: str) -> CatalogueError:
        return self.error(self.file, self.entry, field, problem)

    def mapping(self, value: Any, field: str | None, keys: set[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a mapping, got {type(value).__name__}")
        if keys is not None:
            unknown = sorted(set(map(str, value)) - keys)
            if unknown:
                raise self.fail(field, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(keys))})")
        return value

    def text(self, value: Any, field: str, *, one_line: bool = False, required: bool = True) -> str:
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"expected non-empty text, got {value!r}")
        if one_line and "\n" in value.strip():
            raise self.fail(field, "must be a single line")
        return value.strip()

    def texts(self, value: Any, field: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, got {type(value).__name__}")
        return tuple(self.text(v, f"{field}[{i}]") for i, v in enumerate(value))


def _read(path: Path, root: Path) -> Any:
    return read_yaml(path, root)


def _section(ctx: _Ctx, raw: Any, field: str) -> Section:
    data = ctx.mapping(raw, field, SECTION_KEYS)
    heading = ctx.text(data.get("heading"), f"{field}.heading", one_line=True)
    text = ctx.text(data.get("text"), f"{field}.text", required=False)
    items = ctx.texts(data.get("items"), f"{field}.items")
    note = ctx.text(data.get("note"), f"{field}.note", required=False)
    if not text and not items:
        raise ctx.fail(field, "needs text or items")
    return Section(heading=heading, text=text, items=items, note=note)


def _url(ctx: _Ctx, value: Any, field: str) -> str:
    url = ctx.text(value, field, one_line=True)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or re.search(r"\s", url):
        raise ctx.fail(field, f"{url!r} is not a full http(s) URL like http://www.tast.org.cn")
    return url


def _phones(ctx: _Ctx, value: Any, field: str, pattern: re.Pattern[str], example: str) -> tuple[str, ...]:
    phones = ctx.texts(value, field)
    for i, p in enumerate(phones):
        if not pattern.match(p):
            raise ctx.fail(f"{field}[{i}]", f"{p!r} is not a phone number like {example}")
    return phones


def _contact(ctx: _Ctx, raw: Any, field: str, departments: dict[str, str] | None) -> Contact:
    data = ctx.mapping(raw, field, CONTACT_KEYS)
    dept = ctx.text(data.get("department"), f"{field}.department", one_line=True)
    if departments is not None and dept not in departments:
        raise ctx.fail(f"{field}.department", f"{dept!r} is not listed in data/departments.yaml")
    phones = _phones(ctx, data.get("phones"), f"{field}.phones", TIANJIN_PHONE, "022-27126422")
    if not phones:
        raise ctx.fail(f"{field}.phones", "at least one phone is required")
    fax = _phones(ctx, data.get("fax"), f"{field}.fax", TIANJIN_PHONE, "022-27111200")
    emails = ctx.texts(data.get("emails"), f"{field}.emails")
    for i, e in enumerate(emails):
        if not EMAIL.match(e):
            raise ctx.fail(f"{field}.emails[{i}]", f"{e!r} is not an e-mail address")
    websites = data.get("websites") or []
    if not isinstance(websites, list):
        raise ctx.fail(f"{field}.websites", "expected a list")
    return Contact(
        department=dept,
        phones=phones,
        fax=fax,
        emails=emails,
        websites=tuple(_url(ctx, w, f"{field}.websites[{i}]") for i, w in enumerate(websites)),
    )


def _tags(ctx: _Ctx, raw: Any, vocab: dict[str, dict[str, str]]) -> Tags:
    if raw is None:
        return Tags()
    data = ctx.mapping(raw, "tags", {"audience", "need"})
    out: dict[str, tuple[str, ...]] = {}
    for kind in ("audience", "need"):
        values = ctx.texts(data.get(kind), f"tags.{kind}")
        for i, v in enumerate(values):
            if v not in vocab[kind]:
                raise ctx.fail(f"tags.{kind}[{i}]", f"unknown tag {v!r} (known: {', '.join(vocab[kind])})")
        out[kind] = values
    return Tags(**out)


def _service(ctx: _Ctx, raw: Any, index: int, part: str, part_number: int, departments: dict[str, str],
             vocab: dict[str, dict[str, str]]) -> Service:
    ctx.entry = None
    data = ctx.mapping(raw, f"services[{index}]")
    sid = data.get("id")
    if isinstance(sid, int):
        raise ctx.fail(f"services[{index}].id", f"id {sid!r} must be quoted text, e.g. id: \"{sid:02d}\"")
    if not isinstance(sid, str) or not ID_PATTERN.match(sid) or not 1 <= int(sid) <= SERVICE_COUNT:
        raise ctx.fail(f"services[{index}].id", f"{sid!r} is not a two-digit id from \"01\" to \"{SERVICE_COUNT}\"")
    ctx.entry = sid
    ctx.mapping(data, None, SERVICE_KEYS)
    for key in REQUIRED_SERVICE_KEYS:
        if data.get(key) is None:
            raise ctx.fail(key, "is required")
    sections = {name: _section(ctx, data[name], name) for name in SECTION_FIELDS if data.get(name) is not None}
    other = data.get("other") or []
    if not isinstance(other, list):
        raise ctx.fail("other", "expected a list of sections")
    docs_raw = data.get("documents") or []
    if not isinstance(docs_raw, list):
        raise ctx.fail("documents", "expected a list")
    documents = []
    for i, d in enumerate(docs_raw):
        d = ctx.mapping(d, f"documents[{i}]", {"title", "url"})
        documents.append(Document(ctx.text(d.get("title"), f"documents[{i}].title", one_line=True),
                                  _url(ctx, d.get("url"), f"documents[{i}].url")))
    return Service(
        id=sid,
        title=ctx.text(data["title"], "title", one_line=True),
        part=part,
        part_number=part_number,
        section=ctx.text(data["section"], "section", one_line=True),
        contact=_contact(ctx, data["contact"], "contact", departments),
        other=tuple(_section(ctx, s, f"other[{i}]") for i, s in enumerate(other)),
        aliases=ctx.texts(data.get("aliases"), "aliases"),
        tags=_tags(ctx, data.get("tags"), vocab),
        documents=tuple(documents),
        notes=ctx.texts(data.get("notes"), "notes"),
        source_file=str(ctx.file),
        **sections,
    )


def _load_departments(root: Path) -> list[tuple[str, tuple[str, ...]]]:
    path = root / "departments.yaml"
    ctx = _Ctx(path, root)
    data = ctx.mapping(_read(path, root), None, {"departments"})
    items = data.get("departments")
    if not isinstance(items, list) or not items:
        raise ctx.fail("departments", "expected a non-empty list")
    out = []
    for i, d in enumerate(items):
        d = ctx.mapping(d, f"departments[{i}]", {"name", "aliases"})
        out.append((ctx.text(d.get("name"), f"departments[{i}].name", one_line=True),
                    ctx.texts(d.get("aliases"), f"departments[{i}].aliases")))
    return out


def _load_vocab(root: Path) -> dict[str, dict[str, str]]:
    path = root / "tags.yaml"
    ctx = _Ctx(path, root)
    data = ctx.mapping(_read(path, root), None, {"audience", "need"})
    vocab: dict[str, dict[str, str]] = {}
    for kind in ("audience", "need"):
        labels = ctx.mapping(data.get(kind), kind)
        vocab[kind] = {str(k): ctx.text(v, f"{kind}.{k}", one_line=True) for k, v in labels.items()}
    return vocab


def _load_services(root: Path, departments: dict[str, str], vocab: dict[str, dict[str, str]]) -> list[Service]:
    files = sorted((root / "catalogue").glob("*.yaml"))
    if not files:
        raise CatalogueError(root / "catalogue", None, None, "no *.yaml catalogue files found")
    services: list[Service] = []
    seen: dict[str, str] = {}
    for path in files:
        ctx = _Ctx(path, root)
        data = ctx.mapping(_read(path, root), None, {"part", "services"})
        part = ctx.text(data.get("part"), "part", one_line=True)
        m = re.match(r"^第([一二三四五])部分 \S", part)
        if not m:
            raise ctx.fail("part", f"{part!r} should look like '第一部分 服务科技工作者'")
        if not isinstance(data.get("services"), list) or not data["services"]:
            raise ctx.fail("services", "expected a non-empty list of services")
        for i, raw in enumerate(data["services"]):
            s = _service(ctx, raw, i, part, PART_NUMBERS[m.group(1)], departments, vocab)
            if s.id in seen:
                raise ctx.fail("id", f"duplicate id {s.id!r} (also in {seen[s.id]})")
            seen[s.id] = str(ctx.file)
            services.append(s)
    missing = [f"{i:02d}" for i in range(1, SERVICE_COUNT + 1) if f"{i:02d}" not in seen]
    if missing:
        raise CatalogueError(root / "catalogue", missing[0], "id", f"service {missing[0]} is missing "
                             f"({len(missing)} of {SERVICE_COUNT} ids absent)")
    return sorted(services, key=lambda s: s.id)


def _load_societies(root: Path) -> SocietyList:
    path = root / "appendix" / "societies.yaml"
    ctx = _Ctx(path, root)
    data = ctx.mapping(_read(path, root), None, {"id", "name", "as_of", "contact", "societies"})
    ctx.entry = "societies"
    contact = ctx.mapping(data.get("contact"), "contact", {"department", "phones"})
    raw = data.get("societies")
    if not isinstance(raw, list) or not raw:
        raise ctx.fail("societies", "expected a non-empty list")
    societies = []
    counters: dict[str, int] = {}
    for i, s in enumerate(raw):
        s = ctx.mapping(s, f"societies[{i}]", {"discipline", "number", "name"})
        disc = ctx.text(s.get("discipline"), f"societies[{i}].discipline")
        if disc not in DISCIPLINES:
            raise ctx.fail(f"societies[{i}].discipline", f"{disc!r} is not one of {', '.join(DISCIPLINES)}")
        number = s.get("number")
        counters[disc] = counters.get(disc, 0) + 1
        if number != counters[disc]:
            raise ctx.fail(f"societies[{i}].number", f"expected {counters[disc]} (numbering within {disc}), got {number!r}")
        societies.append(Society(disc, number, ctx.text(s.get("name"), f"societies[{i}].name", one_line=True)))
    return SocietyList(
        name=ctx.text(data.get("name"), "name"),
        as_of=ctx.text(str(data.get("as_of") or ""), "as_of"),
        contact=Contact(
            department=ctx.text(contact.get("department"), "contact.department"),
            phones=_phones(ctx, contact.get("phones"), "contact.phones", TIANJIN_PHONE, "022-27122522"),
        ),
        societies=tuple(societies),
    )


def _load_organisations(root: Path) -> tuple[Organisation, ...]:
    path = root / "appendix" / "organisations.yaml"
    ctx = _Ctx(path, root)
    data = ctx.mapping(_read(path, root), None, {"organisations"})
    raw = data.get("organisations")
    if not isinstance(raw, list):
        raise ctx.fail("organisations", "expected a list")
    orgs = []
    for i, o in enumerate(raw):
        ctx.entry = None
        o = ctx.mapping(o, f"organisations[{i}]", {"id", "name", "short_name", "summary", "sections", "contact"})
        ctx.entry = ctx.text(o.get("id"), f"organisations[{i}].id")
        c = ctx.mapping(o.get("contact"), "contact", {"address", "postcode", "phones", "websites"})
        sections = o.get("sections") or []
        if not isinstance(sections, list):
            raise ctx.fail("sections", "expected a list")
        orgs.append(Organisation(
            id=ctx.entry,
            name=ctx.text(o.get("name"), "name", one_line=True),
            short_name=ctx.text(o.get("short_name"), "short_name", one_line=True),
            summary=ctx.text(o.get("summary"), "summary"),
            sections=tuple(_section(ctx, s, f"sections[{j}]") for j, s in enumerate(sections)),
            contact=OrgContact(
                address=ctx.text(c.get("address"), "contact.address", one_line=True),
                postcode=ctx.text(str(c.get("postcode") or ""), "contact.postcode"),
                phones=_phones(ctx, c.get("phones"), "contact.phones", ANY_PHONE, "010-68571875"),
                websites=tuple(_url(ctx, w, f"contact.websites[{j}]") for j, w in enumerate(c.get("websites") or [])),
            ),
        ))
    ids = {o.id for o in orgs}
    for need in ("tast", "cast"):
        if need not in ids:
            raise CatalogueError(ctx.file, need, "id", f"organisation {need!r} is missing")
    return tuple(orgs)


def _load_rules(root: Path) -> Rules:
    path = root / "appendix" / "enterprise_rules.yaml"
    ctx = _Ctx(path, root)
    data = ctx.mapping(_read(path, root), None, {"id", "name", "contact_service", "articles"})
    raw = data.get("articles")
    if not isinstance(raw, list) or not raw:
        raise ctx.fail("articles", "expected a non-empty list")
    articles = []
    for i, a in enumerate(raw):
        ctx.entry = None
        a = ctx.mapping(a, f"articles[{i}]", {"number", "label", "chapter", "text"})
        if a.get("number") != i + 1:
            raise ctx.fail(f"articles[{i}].number", f"expected {i + 1}, got {a.get('number')!r}")
        ctx.entry = ctx.text(a.get("label"), f"articles[{i}].label", one_line=True)
        articles.append(Article(i + 1, ctx.entry, ctx.text(a.get("chapter"), "chapter", one_line=True),
                                ctx.text(a.get("text"), "text")))
    ctx.entry = None
    return Rules(name=ctx.text(data.get("name"), "name"), articles=tuple(articles),
                 contact_service=ctx.text(data.get("contact_service"), "contact_service"))


def _directory(services: list[Service], declared: list[tuple[str, tuple[str, ...]]]) -> tuple[Department, ...]:
    out = []
    for name, aliases in declared:
        members = [s for s in services if s.contact.department in (name, *aliases)]
        phones: list[str] = []
        for s in members:
            phones.extend(p for p in s.contact.phones if p not in phones)
        out.append(Department(name, aliases, tuple(phones), tuple(s.id for s in members)))
    return tuple(out)


Loaded = TypeVar("Loaded")


def data_cli(argv: list[str] | None, prog: str, description: str, what: str, load: Callable[[str | None], Loaded],
             summary: Callable[[Loaded], str], as_json: Callable[[Loaded], Any]) -> int:
    """Run a data command line (--check: one `ok: …` line or one error line and status 1; --json); return the status."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--json", action="store_true", help=f"print the loaded {what} as JSON")
    mode.add_argument("--check", action="store_true", help=f"validate the {what} and print a one-line summary")
    parser.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    args = parser.parse_args(argv)
    try:
        loaded = load(args.data)
    except CatalogueError as exc:  # any data error, its subclasses and the shared YAML reader's included
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(as_json(loaded), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(summary(loaded))
    return 0


def _load_english(root: Path, service_ids: list[str]) -> dict[str, str]:
    """Load data/english.yaml: every answer id's English name, one line each."""
    path = root / "english.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict) or set(raw) != {"names"} or not isinstance(raw["names"], dict):
        raise CatalogueError(path, None, None, "expected one key: names (answer id: English name)")
    names = raw["names"]
    wanted = [*service_ids, *APPENDIX_IDS]
    for answer in wanted:
        value = names.get(answer)
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            raise CatalogueError(path, answer, "names", "expected the English name on one line")
    unknown = sorted(set(map(str, names)) - set(wanted))
    if unknown:
        raise CatalogueError(path, unknown[0], "names", "not an answer id of the catalogue")
    return {k: names[k].strip() for k in wanted}


def load_catalogue(data_dir: str | Path | None = None) -> Catalogue:
    """Load, validate and return the catalogue under data_dir (default: the project's data/)."""
    root = Path(data_dir) if data_dir else DATA_DIR
    declared = _load_departments(root)
    departments = {alias: name for name, aliases in declared for alias in (name, *aliases)}
    vocab = _load_vocab(root)
    services = _load_services(root, departments, vocab)
    rules = _load_rules(root)
    if rules.contact_service not in {s.id for s in services}:
        raise CatalogueError(root / "appendix" / "enterprise_rules.yaml", None, "contact_service",
                             f"{rules.contact_service!r} is not a service id")
    english = _load_english(root, [s.id for s in services])
    return Catalogue(
        english=english,
        services=tuple(services),
        societies=_load_societies(root),
        organisations=_load_organisations(root),
        rules=rules,
        departments=_directory(services, declared),
        tags=vocab,
    )
