"""The tokeniser that turns a review into words.

Rules, applied in this order:

1. HTML line breaks (``<br />``, ``<br>``) and any other HTML tag become a space.
2. The text is lowercased (Unicode-aware, ``str.lower``).
3. A word is a run of letters and digits, optionally joined by single apostrophes
   inside it: ``don't``, ``rock'n'roll`` and ``90s`` are words; a leading or
   trailing apostrophe (``'quoted'``) is not part of the word.
4. Everything else (punctuation, symbols, underscores, whitespace) separates words
   and is dropped.

The function is pure and deterministic. Change :data:`TOKENIZER_VERSION` whenever a
rule changes: cached corpora are keyed by it and are rebuilt.
"""

from __future__ import annotations

import re

TOKENIZER_VERSION = 1

_TAG = re.compile(r"<[^>]{0,200}>")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokenize(text: str) -> list[str]:
    """Split one review into lowercase words (see the module docstring for the rules)."""
    return _WORD.findall(_TAG.sub(" ", text).lower())
