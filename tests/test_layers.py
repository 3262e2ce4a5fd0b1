"""The layers are a test: import-linter contracts, no import cycles, few function-local
imports, no role names written out in code.

The contracts live in ``.importlinter`` (docs/architecture.md draws them). The other
checks read the source as text (Python's own parser), so they need no database.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from harborlight.security.policy import load_policy

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"
PACKAGE = SOURCE / "harborlight"
# Function-local imports of Harborlight's own modules outside cli/ (whose commands load
# Django only when they run), each with the reason it cannot be a module-level import.
ALLOWED_LOCAL_IMPORTS = {
    ("harborlight.security.apps", "harborlight.security.checks"):
        "AppConfig.ready: the checks import models, which Django loads after app configs",
    ("harborlight.security.audit.apps", "harborlight.security.audit.signals"):
        "AppConfig.ready: the receivers import the audit models",
    ("harborlight.accounts.apps", "harborlight.accounts.signals"):
        "AppConfig.ready: connects the lockout receivers once models are loaded",
    ("harborlight.intake.apps", "harborlight.intake.checks"):
        "AppConfig.ready: the start-up check imports the intake models",
    ("harborlight.referrals.apps", "harborlight.referrals.erasure"):
        "AppConfig.ready: the erasure receiver imports the referral models",
    ("harborlight.screening.engine", "harborlight.screening.output"):
        "the screening engine's own (issue 13 restructures it): writing the output files "
        "is loaded only when a run writes them",
}
MAX_LOCAL_IMPORTS = 15


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _targets(node: ast.AST, module: str, is_package: bool, known: set[str]) -> list[str]:
    """The Harborlight modules an import statement names (its submodules where they are)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("harborlight")]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = module if is_package else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            anchor = anchor.rpartition(".")[0]
        base = f"{anchor}.{base}" if base else anchor
    if not base.startswith("harborlight"):
        return []
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names]


def _imports(path: Path, module: str, known: set[str]) -> tuple[set[str], list[str]]:
    """(modules imported at module level, modules imported inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top, local = set(), []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, True)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # for type checkers only; never imported when the code runs
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                found = _targets(child, module, path.name == "__init__.py", known)
                (local.extend if in_function else top.update)(found)
            else:
                visit(child, in_function)

    visit(tree, False)
    return top, local


def _resolved(name: str, known: set[str]) -> str:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def test_it_keeps_every_import_linter_contract():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail(f"{lint} is missing: install the test extra (import-linter)")
    result = subprocess.run([str(lint), "--no-logo", "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_has_no_import_cycle_between_modules():
    modules = _modules()
    known = set(modules)
    graph = {}
    for module, path in modules.items():
        top, _ = _imports(path, module, known)
        graph[module] = {_resolved(name, known) for name in top} - {module, ""}
    cycles = _cycles(graph)
    assert not cycles, f"modules that import each other at load time: {cycles}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def test_it_finds_a_cycle_when_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_it_allows_function_local_project_imports_only_on_the_list():
    modules = _modules()
    known = set(modules)
    found = set()
    for module, path in modules.items():
        if module.startswith("harborlight.cli"):
            continue
        _, local = _imports(path, module, known)
        found |= {(module, _resolved(name, known)) for name in local}
    unexpected = sorted(found - set(ALLOWED_LOCAL_IMPORTS))
    stale = sorted(set(ALLOWED_LOCAL_IMPORTS) - found)
    assert not unexpected, ("import these at module level (or add them to "
                            f"ALLOWED_LOCAL_IMPORTS with the reason): {unexpected}")
    assert not stale, f"no longer imported inside a function; remove from the list: {stale}"
    assert len(ALLOWED_LOCAL_IMPORTS) <= MAX_LOCAL_IMPORTS


def test_it_writes_no_role_name_in_code_outside_security():
    """Who may do what is policy.toml's: code asks it (User.objects.allowed_to, role_allows)
    instead of naming roles, so a new role or a changed grant needs no code change."""
    roles = set(load_policy().roles)
    found = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "security" or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in roles:
                found.append(f"{relative}:{node.lineno} {node.value!r}")
    assert not found, found
