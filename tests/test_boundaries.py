"""The walls between rooms: imports flow console -> trainingjobs -> algorithms -> search."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# room -> rooms it must never import
FORBIDDEN = {
    "search": {
        "django",
        "rest_framework",
        "channels",
        "huey",
        "console",
        "algorithms",
        "trainingjobs",
    },
    "algorithms": {"trainingjobs", "console"},
    "trainingjobs": {"console"},
}
# Modules kept free of Django so the trial runner and tests use them alone.
PURE_MODULES = [
    "algorithms/metric_regex.py",
    "algorithms/metric_matching.py",
    "algorithms/packages.py",
    "algorithms/package_members.py",
    "algorithms/package_sources.py",
    "algorithms/archive_readers.py",
    "trainingjobs/chart_data.py",
    "trainingjobs/chart_style.py",
    "trainingjobs/charts.py",
    "trainingjobs/dashboard_charts.py",
    "trainingjobs/dashboard_metric_figure.py",
    "trainingjobs/event_payloads.py",
]


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_never_imports_rooms_above_it(room: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & FORBIDDEN[room])
        for path in (ROOT / room).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_django(module: str) -> None:
    path = ROOT / module
    if not path.exists():
        pytest.fail(f"{module} is missing")
    assert _imported_roots(path) & {"django", "rest_framework", "channels", "huey"} == set()
