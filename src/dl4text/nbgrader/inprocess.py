"""nbgrader's own converters run in this process, on a course folder's ``nbgrader_config.py``.

The gradebook's owner writes every grade from one process; importing nbgrader once (seconds)
instead of starting ``nbgrader`` per submission keeps that owner from becoming the bottleneck.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from dl4text.nbgrader.cli import NbgraderError, put_env_bin_on_path

# SQLAlchemy 2.1 on nbgrader's gradebook, harmless (see NBGRADER_NOTES.md); kept off the progress bar
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")


def course_config(root: Path, **traits: Any) -> Any:
    """The course's nbgrader config, with ``Class__trait=value`` overrides; raises if it fails to load."""
    from traitlets.config import Config, PyFileConfigLoader

    try:
        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    except Exception as exc:  # noqa: BLE001 - a broken config must stop grading, never fall back
        raise NbgraderError(f"{root / 'nbgrader_config.py'} failed to load: {exc}") from exc
    cfg.CourseDirectory.root = str(root)
    extra = Config()
    for dotted, value in traits.items():
        cls, trait = dotted.split("__")
        extra[cls][trait] = value
    cfg.merge(extra)
    return cfg


def call(root: Path, method: str, *args: Any, config: Any = None, **kwargs: Any) -> str:
    """Run ``NbGraderAPI.<method>(*args, **kwargs)`` on the course at ``root``; return its log.

    Raises :class:`NbgraderError` with the end of the log when nbgrader reports a failure.
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    put_env_bin_on_path()  # nbgrader runs `alembic` from PATH
    cfg = config if config is not None else course_config(root)
    api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)
    api.log.setLevel(logging.ERROR)
    result = getattr(api, method)(*args, **kwargs)
    log = (result.get("log") or "") + (result.get("error") or "")
    if not result.get("success"):
        raise NbgraderError(f"nbgrader {method} {' '.join(map(str, args))} failed:\n{log[-3000:]}")
    return log
