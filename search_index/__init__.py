"""Full-text search and matching of market postings (problems, talent needs, results).

Plain Python over Whoosh and jieba: posting documents (dicts) go in, ranked ids with
explanations come out. See IndexStore for the entry point.
"""

from .analysis import analyze, dictionary_hash, init_jieba
from .matching import Match, TermExpander, default_expander, make_expander
from .query import SearchHit, SearchPage
from .schema import SCHEMA_VERSION
from .store import IndexLockTimeout, IndexStore
from .thesaurus import Thesaurus, load_thesaurus, validate_group

__all__ = [
    "SCHEMA_VERSION",
    "IndexLockTimeout",
    "IndexStore",
    "Match",
    "SearchHit",
    "SearchPage",
    "TermExpander",
    "Thesaurus",
    "analyze",
    "default_expander",
    "dictionary_hash",
    "init_jieba",
    "load_thesaurus",
    "make_expander",
    "validate_group",
]
