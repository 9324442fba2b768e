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

# The same rules, faster, for a text that is all ASCII (most reviews): there a letter or
# digit is [a-z0-9] (after lowercasing), so every other character but the apostrophe
# becomes a space (one str.translate), an apostrophe without a letter or digit on both
# sides becomes a space too, and what str.split() leaves are exactly the words.
_ASCII_SEPARATORS = str.maketrans({c: " " for c in map(chr, range(128))
                                   if not (c.isalnum() or c == "'")})
_LONE_APOSTROPHE = re.compile(r"'(?:(?![0-9a-z])|(?<![0-9a-z]'))")


def tokenize(text: str) -> list[str]:
    """Split one review into lowercase words (see the module docstring for the rules)."""
    text = _TAG.sub(" ", text).lower()
    if not text.isascii():
        return _WORD.findall(text)
    text = text.translate(_ASCII_SEPARATORS)
    if "'" in text:
        text = _LONE_APOSTROPHE.sub(" ", text)
    return text.split()
