"""IMDB data for the course: the Keras contract, read from the real archive, cached.

Public functions: :func:`load_imdb`, :func:`get_word_index`, :func:`load_texts`,
:func:`load_unsup` and :func:`tokenize`.
"""

from dl4text.data.errors import DataError, DataNotFoundError
from dl4text.data.imdb import get_word_index, load_imdb, load_texts, load_unsup
from dl4text.data.tokenizer import tokenize

__all__ = ["DataError", "DataNotFoundError", "get_word_index", "load_imdb", "load_texts",
           "load_unsup", "tokenize"]
