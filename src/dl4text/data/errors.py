"""Errors raised by :mod:`dl4text.data`, each with a message a person can act on."""


class DataError(RuntimeError):
    """The IMDB data is missing, unreadable or corrupt; the message says what to do."""


class DataNotFoundError(DataError):
    """No IMDB data could be found locally and none could be downloaded."""
