"""Errors raised by :mod:`dl4text.embeddings`, each with a message a person can act on."""


class VectorsError(RuntimeError):
    """Word vectors could not be loaded; the message says what was given and what is accepted."""


class DimensionMismatchError(VectorsError, ValueError):
    """The word vectors do not have the dimension that was asked for."""
