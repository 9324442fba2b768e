"""Runs inside the student's kernel: answers the probe's requests for one test cell.

Nothing here decides a grade. It only writes what the student's code produced into the
sandbox's ``out/`` folder, in formats the graders read without executing anything:
``.npy`` (no pickles), JSON, and ``.keras`` files loaded in Keras safe mode. The grading
process moves each result out of the sandbox's reach right after this returns.

It imports only the standard library and numpy (no pytest, no TensorFlow): the requests are
plain dicts, read from a file the kernel can read but not change.
"""

from __future__ import annotations

import copy
import json
import pickle
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

MAX_ERROR = 600


def run(requests: str, out_dir: str, key: str, namespace: dict[str, Any]) -> None:
    """Answer the request ``key`` of the probe's ``requests`` file into ``out_dir``."""
    with open(requests, "rb") as handle:
        entries = [SimpleNamespace(**entry) for entry in pickle.load(handle)]
    out = Path(out_dir)
    for entry in entries:
        if entry.key == key:
            _answer(entry, namespace, out)


def _answer(entry: SimpleNamespace, namespace: dict[str, Any], out: Path) -> None:
    started = time.monotonic()
    status: dict[str, Any] = {"ok": False}
    try:
        if entry.kind == "call":
            if entry.target not in namespace:
                raise NameError(f"name '{entry.target}' is not defined: run the cell that defines it")
            function = namespace[entry.target]
            if not callable(function):
                raise TypeError(f"'{entry.target}' is not a function")
            result = function(*copy.deepcopy(entry.args), **copy.deepcopy(entry.kwargs))
            status["format"] = _save_value(result, out / entry.key, numeric=True)
        elif entry.kind == "value":
            status["format"] = _save_value(eval(entry.target, namespace), out / entry.key)
        elif entry.kind == "model":
            model = eval(entry.target, namespace)
            if not hasattr(model, "save") or not hasattr(model, "count_params"):
                raise TypeError(f"'{entry.target}' is a {type(model).__name__}, not a Keras model")
            model.save(str(out / f"{entry.key}.keras"))
            status["format"] = "keras"
        status["ok"] = True
    except KeyboardInterrupt:
        status["error"] = "it was interrupted: it took too long"
    except BaseException as exc:  # noqa: BLE001 - any failure of student code is a verdict
        status["error"] = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:MAX_ERROR]
    status["seconds"] = round(time.monotonic() - started, 3)
    (out / f"{entry.key}.status.json").write_text(json.dumps(status))


def _save_value(value: Any, stem: Path, numeric: bool = False) -> str:
    # A numeric array crosses as .npy (as docs/grading.md says): exact, compact, and not
    # bound by the JSON size limit (a 10,000 x 300 matrix is ~60 MB of JSON).
    is_array = isinstance(value, np.ndarray) and value.dtype != object
    if not numeric and not is_array:
        try:
            stem.with_suffix(".json").write_text(json.dumps(value, default=_plain))
            return "json"
        except (TypeError, ValueError):
            pass
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"it returned a {type(value).__name__} that is not an array of numbers")
    with stem.with_suffix(".npy").open("wb") as handle:
        np.save(handle, array, allow_pickle=False)
    return "npy"


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError("object array")
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")
