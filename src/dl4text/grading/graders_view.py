"""The grader's view of a submission: what crossed over from the kernel, read safely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from dl4text.grading.probe import Probe
from dl4text.grading.runlog import ExecutionLog

MAX_ARRAY_BYTES = 512 * 1024**2
MAX_JSON_BYTES = 16 * 1024**2
MAX_MODEL_BYTES = 1024**3


class StudentError(Exception):
    """What the student's code did wrong, in words meant for the student."""


class Submission:
    """Results of one graded notebook, as the hidden graders see them."""

    def __init__(self, run_dir: Path, fast: bool) -> None:
        self.run_dir = Path(run_dir)
        self.fast = fast
        self.probe = Probe.load(self.run_dir)
        self.log = ExecutionLog.load(self.run_dir)
        self._models: dict[str, Any] = {}

    # -- what the grader chose -------------------------------------------------
    def inputs(self, key: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Return the ``(args, kwargs)`` the probe passed for ``key``."""
        entry = self.probe.entry(key)
        return entry.args, entry.kwargs

    # -- what the kernel produced --------------------------------------------------
    def _status(self, key: str) -> dict[str, Any]:
        entry = self.probe.entry(key)
        path = self.run_dir / "artifacts" / f"{key}.status.json"
        if not path.is_file():
            raise StudentError(self.log.why_not_probed(entry.grade_id, entry.target))
        status = _read_json(path)
        if not isinstance(status, dict) or not status.get("ok"):
            error = status.get("error") if isinstance(status, dict) else None
            what = {"call": f"calling {entry.target}(...)", "value": f"reading {entry.target}",
                    "model": f"saving {entry.target}"}[entry.kind]
            raise StudentError(f"{what} failed: {error or 'no result'}")
        return status

    def result(self, key: str) -> np.ndarray:
        """Return what the student's function returned for the probe ``key``, as a numeric array."""
        self._status(key)
        array = _read_npy(self.run_dir / "artifacts" / f"{key}.npy")
        if array.dtype.kind not in "biufc":
            raise StudentError(f"{self.probe.entry(key).target}(...) returned {array.dtype} values, "
                               "not numbers")
        return array

    def value(self, key: str) -> Any:
        """Return the value the probe ``key`` read from the notebook (JSON data or an array)."""
        status = self._status(key)
        stem = self.run_dir / "artifacts" / key
        if status.get("format") == "npy":
            return _read_npy(stem.with_suffix(".npy"))
        return _read_json(stem.with_suffix(".json"))

    def model(self, key: str) -> Any:
        """Return the student's Keras model ``key``, loaded in safe mode (compiled when possible)."""
        if key in self._models:
            return self._models[key]
        self._status(key)
        path = self.run_dir / "artifacts" / f"{key}.keras"
        if not path.is_file() or path.stat().st_size > MAX_MODEL_BYTES:
            raise StudentError(f"the model '{key}' was not saved, or its file is too large")
        import keras

        try:
            model = keras.saving.load_model(path, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - any load failure is the student's model
            try:
                model = keras.saving.load_model(path, safe_mode=True, compile=False)
            except Exception:  # noqa: BLE001
                raise StudentError(
                    f"the model '{self.probe.entry(key).target}' cannot be loaded safely "
                    f"({type(exc).__name__}: {str(exc)[:300]}). Use only built-in Keras layers: "
                    "no Lambda layers and no custom classes.") from None
        self._models[key] = model
        return model


def _read_npy(path: Path) -> np.ndarray:
    if not path.is_file():
        raise StudentError("no result was saved")
    if path.stat().st_size > MAX_ARRAY_BYTES:
        raise StudentError("the result is too large")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise StudentError(f"the result could not be read ({exc})") from None


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise StudentError("no result was saved")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise StudentError("the result is too large")
    try:
        return json.loads(path.read_text())
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise StudentError(f"the result could not be read ({exc})") from None
