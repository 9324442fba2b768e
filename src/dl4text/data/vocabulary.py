"""The course's vocabulary size: the notes keep the 10,000 most frequent words of the training reviews."""

VOCABULARY_SIZE = 10000
