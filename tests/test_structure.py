"""The package's shape, checked from its source with ``ast`` (no import of briefs needed).

- No import cycle among briefs modules. Every import counts, at module level or inside a
  function: a lazy import only hides a cycle until the day someone moves it to the top. The one
  exception is :data:`LAZY_LEAVES`, deliberate lazy imports of a heavy leaf, each with its reason.
  Imports under ``if TYPE_CHECKING:`` are not edges (they never run).
- No module over :data:`MAX_LINES` lines.
- No module uses another module's private names (``from .x import _name``, ``x._name``).
- One module builds the names of output files (``<id>/<id>.<lang>.<ext>``): briefs/pipeline/outputs.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefs"
MAX_LINES = 400
OUTPUT_NAMES = "briefs.pipeline.outputs"  # the only module that spells out an output file's name

# (importer, imported): a lazy import of a module that only the importer's caller needs, kept
# lazy so that importing the importer stays cheap. None are needed today.
LAZY_LEAVES: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of import nodes under ``if TYPE_CHECKING:``."""
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden |= {id(n) for child in node.body for n in ast.walk(child)}
    return hidden


def _imports(module: str) -> list[tuple[str, str, int, bool]]:
    """(imported module, name or '', line, at module level) for each briefs import of ``module``."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    hidden = _type_checking_only(tree)
    top = {id(n) for n in tree.body} | {id(n) for s in tree.body if isinstance(s, (ast.If, ast.Try))
                                        for n in ast.walk(s)}
    found = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module).split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("briefs"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    found.append((sub, "", node.lineno, id(node) in top))
                elif target in MODULES:
                    found.append((target, alias.name, node.lineno, id(node) in top))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("briefs") and alias.name in MODULES:
                    found.append((alias.name, "", node.lineno, id(node) in top))
    return found


def _edges() -> dict[str, dict[str, list[str]]]:
    """importer -> imported -> where (``line N`` / ``line N (in a function)``)."""
    edges: dict[str, dict[str, list[str]]] = {m: {} for m in MODULES}
    for module in MODULES:
        for target, _, line, top in _imports(module):
            if target != module and (module, target) not in LAZY_LEAVES:
                where = f"line {line}" + ("" if top else " (in a function)")
                if where not in edges[module].setdefault(target, []):
                    edges[module][target].append(where)
    return edges


def _cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle() -> None:
    edges = _edges()
    report = []
    for component in _cycles(edges):
        inside = set(component)
        lines = [f"  {a} -> {b} ({', '.join(edges[a][b])})"
                 for a in component for b in sorted(edges[a]) if b in inside]
        report.append("cycle among " + ", ".join(component) + ":\n" + "\n".join(lines))
    assert not report, "\n".join(report)


def test_no_module_over_the_limit() -> None:
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_private_name_from_another_module() -> None:
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text("utf-8"))
        bound: dict[str, str] = {}  # local name -> briefs module it is bound to
        imports = _imports(module)
        for target, name, line, _ in imports:
            if name.startswith("_") and not name.startswith("__") and target != module:
                found.append(f"{module}:{line}: from {target} import {name}")
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    for target, name, _, _ in imports:
                        if not name and target.rpartition(".")[2] == alias.name.rpartition(".")[2]:
                            bound[alias.asname or alias.name.rpartition(".")[2]] = target
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in bound and bound[node.value.id] != module
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                found.append(f"{module}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not found, "private names used across modules:\n" + "\n".join(found)


def _builds_output_name(node: ast.JoinedStr) -> bool:
    """An f-string like ``f"{id}.{lang}.{ext}"``, ``f"{id}.{lang}.pdf"`` or ``f"{stem}.{ext}"``:
    a value, a dot, a value (the id and language of an output file's name, or its stem and
    suffix)."""
    parts = node.values
    last = parts[-1] if parts else None
    if isinstance(last, ast.Constant) and str(last.value).rstrip("\n").endswith((".md", ".yaml")):
        return False  # a content file (a body file of a new brief, say): never an output
    for i in range(len(parts) - 2):
        a, dot, b = parts[i:i + 3]
        if (isinstance(a, ast.FormattedValue) and isinstance(dot, ast.Constant) and dot.value == "."
                and isinstance(b, ast.FormattedValue)):
            return True
    return False


def test_output_names_built_in_one_module() -> None:
    found = []
    for module, path in MODULES.items():
        if module == OUTPUT_NAMES:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.JoinedStr) and _builds_output_name(node):
                found.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
    assert not found, f"output file names built outside {OUTPUT_NAMES}:\n" + "\n".join(found)


def test_the_checks_see_what_they_check() -> None:
    """The checks above would pass on an empty package; make sure they look at the real one."""
    assert {"briefs.pipeline.run", "briefs.load.project", "briefs.render.pdf"} <= set(MODULES)
    edges = _edges()
    assert "briefs.load.project" in edges["briefs.pipeline.run"]
    assert _cycles({"a": {"b": []}, "b": {"a": []}}) == [["a", "b"]]
    sample = ast.parse('f"{b}/{b}.{lang}.{r.suffix}"').body[0]
    assert isinstance(sample, ast.Expr) and isinstance(sample.value, ast.JoinedStr)
    assert _builds_output_name(sample.value)
    content = ast.parse('f"{section}.{lang}.md"').body[0]
    assert isinstance(content, ast.Expr) and isinstance(content.value, ast.JoinedStr)
    assert not _builds_output_name(content.value)


# The top of the package holds only what a user or a plugin enters by (the API, the command line,
# the extension points, the one error type); every stage lives in its own subpackage (README, "How
# it is built"). A new module put at the top instead of in its stage fails here.
TOP_LEVEL = {"briefs", "briefs.__main__", "briefs.api", "briefs.cli", "briefs.plugins", "briefs.builtins",
             "briefs.errors", "briefs.version"}
STAGES = {"authoring", "project", "source", "model", "load", "ledger", "exhibits", "localize", "compliance", "render",
          "pipeline", "checks", "distribute", "portal", "preview", "commands"}


def test_modules_live_in_their_stage() -> None:
    flat = sorted(m for m in MODULES if m.count(".") == 1 and m not in TOP_LEVEL and m.split(".")[1] not in STAGES)
    assert not flat, f"modules at the top of the package instead of in a stage subpackage: {flat}"
    missing = sorted(s for s in STAGES if f"briefs.{s}" not in MODULES)
    assert not missing, f"stage subpackages without an __init__.py: {missing}"
    undocumented = sorted(m for m, p in MODULES.items() if p.name == "__init__.py" and not ast.get_docstring(
        ast.parse(p.read_text("utf-8"))))
    assert not undocumented, f"packages that do not say what their stage does: {undocumented}"
