"""Seeds for every training the kit runs."""

from __future__ import annotations

from dl4text import config


def seed_everything(seed: int | None = None, *, deterministic: bool = True) -> int:
    """Seed Python, NumPy and TensorFlow; with ``deterministic``, make TensorFlow's ops repeatable.

    ``seed`` defaults to ``DL4TEXT_SEED``, else 0 (``dl4text solutions --seeds 0 1 2`` runs
    each solution once per seed that way). Returns the seed used.

    ``keras.utils.set_random_seed`` alone leaves embedding and recurrent models
    non-repeatable on CPU; ``enable_op_determinism`` makes them repeat exactly.
    """
    import keras
    import tensorflow as tf

    seed = config.training_seed() if seed is None else int(seed)
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    return seed
