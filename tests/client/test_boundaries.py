"""The client speaks only HTTP: it never imports Django or any room of the console; its
public names are re-exported by the package alone."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "client" / "sweepconsole"
# Its declared dependencies (client/pyproject.toml), pandas as an optional extra.
ALLOWED = {"sweepconsole", "httpx", "click", "rich", "yaml", "pandas"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_client_imports_only_the_standard_library_and_its_dependencies() -> None:
    offenders = {
        path.name: sorted(_imported_roots(path) - ALLOWED - set(sys.stdlib_module_names))
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_declared_dependencies_are_exactly_the_imported_ones() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "client" / "pyproject.toml").read_text())["project"]
    declared = {
        spec.split(">")[0].split("<")[0].split("=")[0].lower() for spec in project["dependencies"]
    }
    assert declared == {"httpx", "click", "rich", "pyyaml"}


def test_the_package_alone_re_exports_its_public_names() -> None:
    # ``from sweepconsole import choice`` is the public way; a module between the package
    # and the one defining a name would be a second list of the same names to keep.
    import sweepconsole

    listed: dict[str, list[str]] = {name: [] for name in sweepconsole.__all__}
    for module in pkgutil.iter_modules(sweepconsole.__path__):
        if module.name == "__main__":
            continue
        names = getattr(importlib.import_module(f"sweepconsole.{module.name}"), "__all__", [])
        for name in set(names) & set(listed):
            listed[name].append(module.name)
    defined_in = {
        name: [getattr(sweepconsole, name).__module__.removeprefix("sweepconsole.")]
        for name in sweepconsole.__all__
    }
    assert listed == defined_in


def test_trials_moved_out_of_resources_are_still_importable_from_it() -> None:
    from sweepconsole import resources, trials

    moved = ("Trial", "TrialList", "TRIAL_FINISHED", "best_trial")
    assert [getattr(resources, name) for name in moved] == [getattr(trials, name) for name in moved]
