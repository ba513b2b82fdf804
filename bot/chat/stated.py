"""A profile list without what the stated age or gender rules out (35岁 → not 青托), saying why."""

from __future__ import annotations

from conversations.stated import read_stated, ruled_out
from retrieval.model import Service

from . import texts
from .core import Exchange
from .render import esc


def sort_by_stated(t: Exchange, text: str, shown: list[str], spare: list[str], limit: int) -> tuple[list[str], str]:
    """Drop from a profile list the services whose checks the stated age or gender cannot pass (35岁 → not 青托).

    Return up to `limit` ids (refilled from `spare`) and the lines saying what was left out and why, quoting
    the condition and giving the phone; ('', shown) when the question states neither.
    """
    stated = read_stated(text)
    if not stated.anything:
        return shown[:limit], ""
    reference = t.a.settings.reference_date(t.a.today())
    keep: list[str] = []
    lines: list[str] = []
    for sid in shown + spare:
        flow = t.a.flows_by_service.get(sid)
        condition = ruled_out(flow, stated, reference) if flow else None
        service = t.a.catalogue.service(sid)
        if condition is None or service is None:
            if len(keep) < limit:
                keep.append(sid)
        elif sid in shown:
            lines.append(_ruled_out_line(service, condition.quote))
    if not lines:
        return keep, ""
    said = "、".join(([texts.STATED_AGE.format(age=stated.age)] if stated.age is not None else [])
                    + ([texts.STATED_GENDER[stated.gender]] if stated.gender else []))
    return keep, "\n".join([esc(texts.PROFILE_RULED_OUT.format(stated=said))] + lines)


def _ruled_out_line(service: Service, quote: str) -> str:
    return esc(texts.PROFILE_RULED_OUT_ITEM.format(id=service.id, title=service.title, quote=quote,
                                                   department=service.contact.department,
                                                   phone="、".join(service.contact.phones)))
