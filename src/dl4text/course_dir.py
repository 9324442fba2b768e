"""The course folder's layout: which assignments exist and where each stage writes."""

from __future__ import annotations

from pathlib import Path


def assignments(root: Path, requested: list[str] | None = None) -> list[str]:
    """The assignments in ``source/`` (all, or the ``requested`` ones, checked to exist)."""
    found = sorted(p.name for p in (root / "source").iterdir()
                   if p.is_dir() and any(p.glob("*.ipynb")))
    if not requested:
        return found
    unknown = [a for a in requested if a not in found]
    if unknown:
        raise LookupError(f"no assignment {', '.join(unknown)} in {root / 'source'} "
                          f"(known: {', '.join(found)})")
    return list(requested)


def notebooks(root: Path, assignment: str) -> list[str]:
    """The notebook names (without .ipynb) of ``assignment``'s source folder."""
    return sorted(p.stem for p in (root / "source" / assignment).glob("*.ipynb"))
