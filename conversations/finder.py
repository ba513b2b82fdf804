"""The service finder: who the user is and what they need → the services tagged with both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.loader import CatalogueError, read_yaml
from retrieval.model import Catalogue, Service

from .model import Option

FINDER_FILE = Path(__file__).resolve().parent / "finder.yaml"


class FinderError(ValueError):
    """finder.yaml is malformed or leaves a combination without services; str() is one line."""


@dataclass(frozen=True)
class Finder:
    """The finder's wording and options."""

    title: str
    intro: str
    audience_prompt: str
    need_prompt: str
    audiences: tuple[Option, ...]
    needs: tuple[Option, ...]
    extra_checks: dict[str, tuple[str, ...]]


def find(catalogue: Catalogue, audience: str, need: str) -> tuple[list[Service], bool]:
    """Return (services, exact): services with both tags, or with the need alone when none has both."""
    both = [s for s in catalogue.services if audience in s.tags.audience and need in s.tags.need]
    if both:
        return both, True
    return [s for s in catalogue.services if need in s.tags.need], False


def load_finder(path: str | Path | None = None, catalogue: Catalogue | None = None) -> Finder:
    """Load finder.yaml and check that every answer combination leads to at least one service."""
    path = Path(path) if path else FINDER_FILE
    try:
        raw = read_yaml(path)
    except CatalogueError as exc:
        raise FinderError(f"{path}: {exc.problem}") from None
    keys = {"title", "intro", "audience_prompt", "need_prompt", "extra_checks"}
    if not isinstance(raw, dict) or set(raw) - keys:
        raise FinderError(f"{path}: expected keys {', '.join(sorted(keys))}")
    for key in keys - {"extra_checks"}:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise FinderError(f"{path}: step {key}: is required")
    if catalogue is None:
        raise FinderError(f"{path}: the catalogue is needed to build the finder's options")
    audiences = tuple(Option(k, v) for k, v in catalogue.tags["audience"].items())
    needs = tuple(Option(k, v) for k, v in catalogue.tags["need"].items())
    extra = raw.get("extra_checks") or {}
    if not isinstance(extra, dict):
        raise FinderError(f"{path}: step extra_checks: expected need: [flow ids]")
    for need in extra:
        if need not in catalogue.tags["need"]:
            raise FinderError(f"{path}: step extra_checks: unknown need {need!r}")
    for n in needs:
        if not find(catalogue, audiences[0].value, n.value)[0]:
            raise FinderError(f"{path}: step need: no service is tagged {n.value!r}")
    for a in audiences:
        if not any(a.value in s.tags.audience for s in catalogue.services):
            raise FinderError(f"{path}: step audience: no service is tagged {a.value!r}")
    return Finder(
        title=raw["title"].strip(), intro=raw["intro"].strip(),
        audience_prompt=raw["audience_prompt"].strip(), need_prompt=raw["need_prompt"].strip(),
        audiences=audiences, needs=needs,
        extra_checks={k: tuple(v or ()) for k, v in extra.items()},
    )
