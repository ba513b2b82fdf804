"""The entry's own sentences that answer what a question asks (清单原文), for the card to lead with."""

from __future__ import annotations

from retrieval.aspects import Lead, asked, lead, organisation_sentences
from retrieval.decide import detect_intents
from retrieval.model import Service
from retrieval.text import compact, normalise

from .core import Exchange


def leads_for(t: Exchange, service_id: str, question: str) -> list[Lead]:
    """Return the entry's sentences that answer what the question asks beyond the card's sections.

    For an aspect (money, ages, who, numbers, dates, places) the sentences carrying its cue words; when
    the question asks none, the sentence sharing most of its own words — the words that are not the
    service's name (青托), its aspect words or filler.
    """
    searcher = t.a.searcher
    service = t.a.catalogue.service(service_id)
    source: Service | list[tuple[str, str]]
    if service is not None:
        source = service
    elif service_id in ("tast", "cast"):  # 全国学会有多少个 after 中国科协: the introduction's own sentence
        source = organisation_sentences(t.a.catalogue.organisation(service_id))
    else:
        return []
    synonyms = searcher.lexicon.synonyms
    # 那女的呢: without its 那…呢 the question's own words are cut as people mean them (女, not 那女).
    plain = searcher.parts.followup.strip_marks(question)
    tokens, parts = searcher.tokenizer.analyse(plain)
    name = frozenset().union(*(searcher.index.terms(i, "name") for i in searcher.index.docs_of(service_id)))
    # Words and their parts (个人奖 → 个人): a sentence may say the part.
    own = [w for w in dict.fromkeys(tokens + parts)
           if w not in name and len(w) >= 2 and not searcher.tokenizer.is_common(w, 7.0)]
    # …and their synonyms, except those that name the service itself (相声 → 科学传播作品, in 59's title).
    title = compact(service.title) if service is not None else ""
    words = list(own)
    related = tuple(dict.fromkeys(x for w in own for x in synonyms.get(w, ())
                                  if x not in own and x not in name and x not in title))
    out: list[Lead] = []
    for aspect in asked(plain, searcher.parts.aspects):
        found = lead(source, plain, words, aspect, related=related)
        if found is not None:
            out.append(found)
            if found.sentences:
                return [found]
    if out:
        return out[:1]  # asked, and the entry does not say
    if "what" in detect_intents(normalise(plain), searcher.lexicon):
        return []  # 是个什么组织: the card's own description answers; a sentence sharing 组织 would not
    general = lead(source, plain, [w for w in words if w not in searcher.lexicon.aspect_words], None,
                   related=tuple(w for w in related if w not in searcher.lexicon.aspect_words))
    return [general] if general is not None else []
