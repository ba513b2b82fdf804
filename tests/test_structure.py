"""The shape of the code: no import cycle among the project's modules, rooms that import only what they may,
and small modules and functions.

Imports are read from the source (AST), wherever they stand: at the top, inside functions, under
`if TYPE_CHECKING:`. A cycle is a set of modules that import each other, directly or around a ring.

Sizes: no module over MAX_MODULE_LINES and no function (or method) over MAX_FUNCTION_LINES in the
packages of ENFORCED. The packages of REPORTED are measured and their excess is printed (`pytest -s`),
not failed: retrieval/ is being rewritten; move it to ENFORCED when it meets the limits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "conversations", "retrieval", "benchmarks")
ENFORCED = ["bot", "conversations"]
REPORTED = ["retrieval"]
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# What each room may import besides itself (the docstring of each package says the same); bot/app.py,
# bot/__main__.py, bot/evaluate.py and bot/review.py put the rooms together and may import any of them.
MAY_IMPORT = {
    "retrieval": set(),
    "conversations": {"retrieval"},
    "bot.store": set(),
    "bot.settings": set(),
    "bot.chat": {"retrieval", "conversations", "bot.store", "bot.settings"},
    "bot.staff": {"retrieval", "conversations", "bot.store", "bot.settings", "bot.chat"},
    "bot.transports": {"bot.chat", "bot.settings", "bot.app"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Return every module of the project's packages by dotted name."""
    return {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Return the project modules a module imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from . import texts` imports bot.chat.texts; `from .core import Assistant` imports bot.chat.core
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # import a.b.c where only a.b is ours
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def room(name: str) -> str:
    """Return the room of a module: bot.chat, bot.staff, bot.store, bot.transports, a bot/ module, or a package."""
    parts = name.split(".")
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in ("chat", "staff", "store", "transports"):
        return f"bot.{parts[1]}"
    return name if parts[0] == "bot" else parts[0]


def oversized(packages: list[str]) -> Iterator[str]:
    """Yield one line per module over MAX_MODULE_LINES and per function over MAX_FUNCTION_LINES."""
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            where = path.relative_to(ROOT)
            lines = len(text.splitlines())
            if lines > MAX_MODULE_LINES:
                yield f"{where}: {lines} lines (at most {MAX_MODULE_LINES})"
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        yield f"{where}:{node.lineno} {node.name}: {length} lines (at most {MAX_FUNCTION_LINES})"


def test_the_cycle_finder_finds_a_ring_and_reads_imports_inside_functions(tmp_path):
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from .core import x\n    import bot.chat.texts\n", encoding="utf-8")
    known = {"bot.chat.core": source, "bot.chat.texts": source, "bot.chat.m": source}
    assert imported("bot.chat.m", source, known) == {"bot.chat.core", "bot.chat.texts"}


def test_no_import_cycle_among_the_projects_modules():
    known = modules()
    graph = {name: imported(name, path, known) for name, path in known.items()}
    assert cycles(graph) == []


def test_each_room_imports_only_what_it_may():
    known = modules()
    wrong = sorted(f"{name} imports {target}" for name, path in known.items() for target in imported(name, path, known)
                   if room(name) in MAY_IMPORT and room(target) != room(name)
                   and room(target) not in MAY_IMPORT[room(name)])
    assert wrong == []


def test_modules_and_functions_are_small():
    assert list(oversized(ENFORCED)) == []


def test_report_sizes_where_not_yet_enforced():
    for line in oversized(REPORTED):
        print("not yet enforced:", line)
