"""Browsing the catalogue: parts → sections → services, the appendix, societies, and the department directory."""

from __future__ import annotations

from . import cards, render, texts
from .render import esc
from .routes import INDEX, PART, Turn, routes


@routes.command("browse", menu="按分类浏览服务", order=3)
async def browse_command(t: Turn, args: str) -> None:
    """Show the catalogue's parts."""
    await browse_root(t)


@routes.button("br")
async def browse_root(t: Turn) -> None:
    """Show the catalogue's parts and the appendix."""
    rows = [[t.button(name, browse_part, str(n))] for n, name, _ in t.a.catalogue.parts()]
    rows.append([t.button(texts.BROWSE_APPENDIX, browse_appendix)])
    t.out.add(esc(texts.BROWSE_ROOT.format(count=len(t.a.catalogue.services))), rows, edit=True)


@routes.button("ba")
async def browse_appendix(t: Turn) -> None:
    """Show the appendix answers."""
    rows = [[t.button(cards.answer_label(t, a), cards.show_card, cards.code_of(a))]
            for a in ("tast", "cast", "societies", "enterprise-association-rules")]
    rows.append([t.button(texts.BTN_TOP, browse_root)])
    t.out.add(esc(texts.BROWSE_APPENDIX), rows, edit=True)


@routes.button("soc", INDEX)
async def show_discipline(t: Turn, index: str) -> None:
    """List the societies of one discipline."""
    groups = list(t.a.catalogue.societies.by_discipline())
    if int(index) >= len(groups):
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    t.out.add(render.societies_of(t.a.catalogue, groups[int(index)]))


@routes.button("bp", PART)
async def browse_part(t: Turn, part_no: str) -> None:
    """Show the sections of one part."""
    part = next(p for p in t.a.catalogue.parts() if p[0] == int(part_no))
    rows = [[t.button(sec, browse_section, part_no, str(i))] for i, sec in enumerate(part[2])]
    rows.append([t.button(texts.BTN_TOP, browse_root)])
    t.out.add(texts.BROWSE_PART.format(part=esc(part[1])), rows, edit=True)


@routes.button("bs", PART, INDEX)
async def browse_section(t: Turn, part_no: str, index: str) -> None:
    """Show the services of one section."""
    part = next(p for p in t.a.catalogue.parts() if p[0] == int(part_no))
    if int(index) >= len(part[2]):
        t.out.add("", notice=texts.STALE_BUTTON)
        return
    section = part[2][int(index)]
    services = [s for s in t.a.catalogue.services if s.part_number == int(part_no) and s.section == section]
    rows = [[t.button(f"{s.id} {s.title}"[:60], cards.show_card, s.id)] for s in services]
    rows.append([t.button(texts.BTN_TOP, browse_root)])
    t.out.add(texts.BROWSE_SECTION.format(section=esc(section), count=len(services)), rows, edit=True)


@routes.command("contact", menu="部门联系电话", order=5)
async def contact_directory(t: Turn, args: str) -> None:
    """Show the department directory."""
    t.out.add(render.contact_directory(t.a.catalogue))
