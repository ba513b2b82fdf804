"""Browsing the catalogue: parts → sections → services, the appendix, societies, and the department directory."""

from __future__ import annotations

from . import render, texts, views
from .core import Exchange
from .render import esc
from .routes import INDEX, PART, code_of, routes


@routes.command("browse", menu="按分类浏览服务", order=3)
async def browse_command(t: Exchange, args: str) -> None:
    """Show the catalogue's parts."""
    await browse_root(t)


@routes.button("br")
async def browse_root(t: Exchange) -> None:
    """Show the catalogue's parts and the appendix."""
    rows = [[t.button(name, "bp", str(n))] for n, name, _ in t.a.catalogue.parts()]
    rows.append([t.button(texts.BROWSE_APPENDIX, "ba")])
    t.out.add(esc(texts.BROWSE_ROOT.format(count=len(t.a.catalogue.services))), rows, edit=True)


@routes.button("ba")
async def browse_appendix(t: Exchange) -> None:
    """Show the appendix answers."""
    rows = [[t.button(views.answer_label(t, a), "s", code_of(a))]
            for a in ("tast", "cast", "societies", "enterprise-association-rules")]
    rows.append([t.button(texts.BTN_TOP, "br")])
    t.out.add(esc(texts.BROWSE_APPENDIX), rows, edit=True)


@routes.button("soc", INDEX)
async def show_discipline(t: Exchange, index: str) -> None:
    """List the societies of one discipline."""
    groups = list(t.a.catalogue.societies.by_discipline())
    if int(index) >= len(groups):
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    t.out.add(render.societies_of(t.a.catalogue, groups[int(index)]))


@routes.button("bp", PART)
async def browse_part(t: Exchange, part_no: str) -> None:
    """Show the sections of one part."""
    part = next(p for p in t.a.catalogue.parts() if p[0] == int(part_no))
    rows = [[t.button(sec, "bs", part_no, str(i))] for i, sec in enumerate(part[2])]
    rows.append([t.button(texts.BTN_TOP, "br")])
    t.out.add(texts.BROWSE_PART.format(part=esc(part[1])), rows, edit=True)


@routes.button("bs", PART, INDEX)
async def browse_section(t: Exchange, part_no: str, index: str) -> None:
    """Show the services of one section."""
    part = next(p for p in t.a.catalogue.parts() if p[0] == int(part_no))
    if int(index) >= len(part[2]):
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    section = part[2][int(index)]
    services = [s for s in t.a.catalogue.services if s.part_number == int(part_no) and s.section == section]
    rows = [[t.button(f"{s.id} {s.title}"[:60], "s", s.id)] for s in services]
    rows.append([t.button(texts.BTN_TOP, "br")])
    t.out.add(texts.BROWSE_SECTION.format(section=esc(section), count=len(services)), rows, edit=True)


@routes.command("contact", menu="部门联系电话", order=5)
async def contact_directory(t: Exchange, args: str) -> None:
    """Show the department directory."""
    t.out.add(render.contact_directory(t.a.catalogue))
