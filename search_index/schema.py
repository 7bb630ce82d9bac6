"""The Whoosh schema and the mapping from a posting document (dict) to index fields."""

from __future__ import annotations

from typing import Any

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import ANALYZER, index_terms

# Bump when fields, their options or the tokenizer's behaviour change: the index is rebuilt.
SCHEMA_VERSION = 3

KINDS = ("problem", "talent", "result", "expert", "equipment")
TEXT_FIELDS = ("title", "keywords", "body")
# Index-time tf multipliers (BM25F style): a word in the title counts as three in the body.
FIELD_BOOSTS = {"title": 3.0, "keywords": 2.0, "body": 1.0}


def build_schema() -> Schema:
    """Return the schema of the posting index."""
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        title=TEXT(analyzer=ANALYZER, stored=True, field_boost=FIELD_BOOSTS["title"]),
        keywords=TEXT(analyzer=ANALYZER, stored=True, field_boost=FIELD_BOOSTS["keywords"]),
        body=TEXT(analyzer=ANALYZER, stored=True),
        field=ID(stored=True),
        org=ID(stored=True),
        # Fit between the two sides (see matching): modes of cooperation and money in 万元.
        cooperation=KEYWORD(stored=True, commas=True, scorable=False),
        amount=STORED,
        stamp=STORED,
        # "<kind>:<term>" once per document: its document frequency is the term's document
        # frequency within one kind, which key-term weighting needs (Whoosh only knows totals).
        kind_terms=KEYWORD(scorable=False),
    )


def keywords_text(keywords: Any) -> str:
    """Join a keyword list into one field value (a newline keeps keywords apart)."""
    if isinstance(keywords, str):
        return keywords
    return "\n".join(str(k) for k in keywords or ())


def kind_term(kind: str, term: str) -> str:
    """Return the kind_terms token recording that a document of `kind` contains `term`."""
    return f"{kind}:{term}"


def to_index_fields(doc: dict) -> dict[str, Any]:
    """Map a posting document to the field values Whoosh indexes."""
    kind = str(doc["kind"])
    title = str(doc.get("title") or "")
    keywords = keywords_text(doc.get("keywords"))
    body = str(doc.get("body") or "")
    terms = set(index_terms(title)) | set(index_terms(keywords)) | set(index_terms(body))
    fields = {
        "id": str(int(doc["id"])),
        "kind": kind,
        "title": title,
        "keywords": keywords,
        "body": body,
        "stamp": str(doc.get("stamp") or ""),
        "kind_terms": " ".join(kind_term(kind, t) for t in sorted(terms)),
    }
    # Empty ID values would index an empty term; leave such fields out instead.
    for name in ("field", "org"):
        if doc.get(name):
            fields[name] = str(doc[name])
    modes = [str(m).replace(",", " ") for m in doc.get("cooperation") or ()]
    if modes:
        fields["cooperation"] = ",".join(modes)
    if doc.get("amount") not in (None, ""):
        fields["amount"] = str(doc["amount"])  # a decimal string: money is never a float
    return fields
