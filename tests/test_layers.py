"""The package's layers: every import of ``dl4text`` goes down (or across), never up, and none loops.

The layers, from the bottom (docs/architecture.md draws them):

0. base: settings, the nbgrader cell predicates, notebook authoring, the sandbox;
1. data: the IMDB loader and the word vectors;
2. course: what notebooks import, and the course folder's layout;
3. grading: the engine (one notebook, its kernel, its graders);
4. nbgrader: nbgrader's commands, configuration, gradebook, submitted folder, release...;
5. runners: grading a class (one runner, serial or on Dask), and the benchmark;
6. commands: the ``dl4text`` verbs.

Every import counts, at the top of a module or inside a function, read from the source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dl4text"
LAYERS = [
    ("base", ["dl4text", "dl4text.config", "dl4text.cells", "dl4text.authoring", "dl4text.kitparts",
              "dl4text.studentwheel",
              "dl4text.sandbox"]),
    ("data", ["dl4text.data", "dl4text.embeddings"]),
    ("course", ["dl4text.course", "dl4text.folder"]),
    ("grading", ["dl4text.grading"]),
    ("nbgrader", ["dl4text.nbgrader"]),
    ("runners", ["dl4text.runners", "dl4text.bench"]),
    ("commands", ["dl4text.commands", "dl4text.cli"]),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The layer of ``module``: the one whose longest prefix matches it."""
    best, found = -1, None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    if found is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")
    return found


def imports() -> dict[str, set[str]]:
    """module -> the dl4text modules it imports (resolved to the modules that exist)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                if name.startswith("dl4text"):
                    while name not in modules and "." in name:
                        name = name.rsplit(".", 1)[0]
                    if name in modules and name != module:
                        targets.add(name)
        found[module] = targets
    return found


def test_every_module_has_a_layer() -> None:
    for module in imports():
        layer_of(module)


def test_no_import_runs_up_the_layers() -> None:
    upward = [f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
              for module, targets in imports().items() for target in sorted(targets)
              if layer_of(target) > layer_of(module)]
    assert not upward, "imports that run up the layers:\n" + "\n".join(upward)


def test_no_import_loop() -> None:
    graph = imports()
    # a package's __init__ re-exporting its own modules is not a loop of the code
    edges = {m: {t for t in ts if not (m.startswith(t + ".") and t in graph)} for m, ts in graph.items()}
    state: dict[str, int] = {}
    loops: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                loops.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not loops, "import loops:\n" + "\n".join(" -> ".join(loop) for loop in loops)


@pytest.mark.parametrize("module", ["dl4text.runners.batch", "dl4text.commands.grade"])
def test_the_check_sees_imports(module: str) -> None:
    """The walk finds imports at all (a check that finds none would pass for nothing)."""
    assert imports()[module], f"no dl4text import found in {module}"


def test_every_package_folder_is_a_package() -> None:
    """A folder of modules without ``__init__.py`` works in an editable install, not in a wheel."""
    missing = [str(folder.relative_to(PACKAGE)) for folder in PACKAGE.rglob("*")
               if folder.is_dir() and any(folder.glob("*.py")) and not (folder / "__init__.py").exists()]
    assert not missing, f"package folders without __init__.py: {missing}"


def test_the_kernel_side_imports_neither_pytest_nor_tensorflow() -> None:
    """What the student's kernel imports to answer probes: numpy and the standard library."""
    import subprocess
    import sys

    code = ("import sys, dl4text.grading.kernel_side\n"
            "print(sorted(m for m in ('pytest', 'tensorflow', 'keras', 'nbgrader') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
