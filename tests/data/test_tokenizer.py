"""The tokeniser's documented rules (src/dl4text/data/tokenizer.py), one by one."""

from __future__ import annotations

import pytest

from dl4text.data import tokenize


@pytest.mark.parametrize(("text", "words"), [
    # 1. HTML line breaks and other tags become a space, even between letters.
    ("great<br />movie", ["great", "movie"]),
    ("great<br/>movie<br>again", ["great", "movie", "again"]),
    ("end.<br /><br />The next", ["end", "the", "next"]),
    ("<i>Superb</i> acting", ["superb", "acting"]),
    # 2. Lowercase, Unicode-aware.
    ("GREAT Movie", ["great", "movie"]),
    ("ÉCOLE Über", ["école", "über"]),
    # 3. Apostrophes inside a word are kept, at its ends they are not.
    ("don't", ["don't"]),
    ("Rock'n'Roll", ["rock'n'roll"]),
    ("'quoted' words'", ["quoted", "words"]),
    ("the '80s and 90s", ["the", "80s", "and", "90s"]),
    ("it''s", ["it", "s"]),
    # 4. Everything else separates words and is dropped.
    ("well,done!yes?", ["well", "done", "yes"]),
    ("well-made, 10/10", ["well", "made", "10", "10"]),
    ("snake_case", ["snake", "case"]),
    ('"Quoted" (aside) -- end...', ["quoted", "aside", "end"]),
    ("tab\tnew\nline", ["tab", "new", "line"]),
    ("", []),
    ("!!! ... <br /> -- ?", []),
])
def test_rules(text: str, words: list[str]) -> None:
    assert tokenize(text) == words


def test_is_pure_and_returns_a_new_list() -> None:
    text = "Don't <br />stop"
    first = tokenize(text)
    first.append("x")
    assert tokenize(text) == ["don't", "stop"]


@pytest.mark.parametrize(("text", "words"), [
    ("'a' b'' ''c d'e'f g''h", ["a", "b", "c", "d'e'f", "g", "h"]),
    ("x'-y _'z' 1'2 '", ["x", "y", "z", "1'2"]),
    ("ctrl\x1fchars\x7fand\x00nul", ["ctrl", "chars", "and", "nul"]),
    ("<a href='x'>link</a> I'M <b", ["link", "i'm", "b"]),
])
def test_ascii_and_unicode_texts_follow_the_same_rules(text: str, words: list[str]) -> None:
    """An all-ASCII text takes a faster path than one with other characters: same words."""
    assert text.isascii()
    assert tokenize(text) == words
    # a non-ASCII word in front sends the text down the general (regular expression) path
    assert tokenize("ÀB " + text) == ["àb", *words]


def test_the_fast_path_matches_the_rules_on_every_ascii_character() -> None:
    from dl4text.data.tokenizer import _TAG, _WORD

    alphabet = [chr(c) for c in range(128)]
    texts = [f"a{c}b {c}c{c} d{c}{c}e" for c in alphabet] + ["".join(alphabet)]
    for text in texts:
        assert tokenize(text) == _WORD.findall(_TAG.sub(" ", text).lower()), repr(text)
