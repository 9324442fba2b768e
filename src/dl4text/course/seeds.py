"""Seeds for every training the kit runs."""

from __future__ import annotations


def seed_everything(seed: int = 0, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and TensorFlow; with ``deterministic``, make TensorFlow's ops repeatable.

    ``keras.utils.set_random_seed`` alone leaves embedding and recurrent models
    non-repeatable on CPU; ``enable_op_determinism`` makes them repeat exactly.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
