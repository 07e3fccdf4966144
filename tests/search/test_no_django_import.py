"""search/ stays a pure library: only the standard library, numpy, scipy and scikit-learn."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SEARCH = Path(__file__).resolve().parents[2] / "search"
ALLOWED = {"numpy", "scipy", "sklearn", "search"} | set(sys.stdlib_module_names)


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_search_imports_only_stdlib_numpy_scipy_sklearn() -> None:
    files = sorted(SEARCH.rglob("*.py"))
    assert files, "search/ has no modules"
    offenders = {
        str(path.relative_to(SEARCH)): sorted(imported_roots(path) - ALLOWED) for path in files
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_walk_catches_a_django_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from django.db import models\nimport numpy as np\n")
    assert imported_roots(module) - ALLOWED == {"django"}
