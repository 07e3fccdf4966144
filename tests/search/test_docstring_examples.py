"""The runnable example in every public docstring of search/ runs and says what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import search

MODULES = sorted(m.name for m in pkgutil.walk_packages(search.__path__, "search."))


@pytest.mark.parametrize("module_name", ["search", *MODULES])
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} failing example(s) in {module_name}"
