"""The create-job page's search and policy sections (checked search algorithms with
``sa-<algorithm>-<param>``, the policy with ``policy-<policy>-<param>``) and its
environment table (``env-<i>-name``, ``env-<i>-value``): what was posted, typed for the
API's create shape, and the cards and rows to re-render.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from algorithms.models import Algorithm
from algorithms.spec_display import display_value, range_text
from search import list_policies, list_samplers
from trainingjobs.form_errors import ErrorTree
from trainingjobs.form_rows import typed_value

ENV_BLANK_ROWS = 2  # empty rows of the environment table (the page's script adds more)


def sampler_entry(name: str) -> dict[str, Any] | None:
    lowered = name.lower()
    for entry in list_samplers():
        if lowered in {n.lower() for n in (entry["name"], *entry["aliases"])}:
            return entry
    return None


def policy_entry(name: str) -> dict[str, Any] | None:
    lowered = name.lower()
    for entry in list_policies():
        if lowered in {n.lower() for n in (entry["name"], *entry["aliases"])}:
            return entry
    return None


def supported_samplers(algorithm: Algorithm | None) -> list[str]:
    if algorithm is None:
        return []
    return [str(item.get("name", "")) for item in algorithm.search_algorithms or []]


def supported_params(algorithm: Algorithm | None) -> dict[str, dict[str, str]]:
    """Each supported sampler's parameters as the algorithm saved them, else its defaults."""
    params: dict[str, dict[str, str]] = {}
    for item in (algorithm.search_algorithms if algorithm else None) or []:
        entry = sampler_entry(str(item.get("name", "")))
        saved = item.get("params") or {}
        params[str(item.get("name", ""))] = {
            p["name"]: display_value(saved.get(p["name"], p["default"]))
            for p in (entry["params"] if entry else [])
        }
    return params


def typed_params(typed: Mapping[str, str], entry: Mapping[str, Any] | None) -> dict[str, Any]:
    """A sampler's or policy's typed parameters; blank ones are left to their defaults."""
    kinds = {p["name"]: p["type"] for p in (entry or {}).get("params", [])}
    out: dict[str, Any] = {}
    for name, text in typed.items():
        if not str(text).strip():
            continue
        kind = kinds.get(name, "str")
        out[name] = typed_value(text, kind) if kind in ("int", "float", "bool") else text.strip()
    return out


def prefixed(post: QueryDict, prefix: str) -> dict[str, dict[str, str]]:
    """``<prefix><owner>-<param>`` inputs as ``{owner: {param: text}}``."""
    found: dict[str, dict[str, str]] = {}
    for key in post:
        if key.startswith(prefix) and key.count("-") >= 2:
            _, owner, param = key.split("-", 2)
            found.setdefault(owner, {})[param] = post.get(key, "")
    return found


def samplers_context(
    algorithm: Algorithm | None, raw: dict[str, Any], data: dict[str, Any], tree: ErrorTree
) -> list[dict[str, Any]]:
    posted_index = {
        item["name"]: str(i) for i, item in enumerate(data.get("search_algorithms", []))
    }
    cards = []
    for name in supported_samplers(algorithm):
        entry = sampler_entry(name)
        index = posted_index.get(name)
        typed = raw["params"].get(name, {})
        params = []
        for spec in entry["params"] if entry else []:
            messages = (
                tree.take("search_algorithms", index, "params", spec["name"]) if index else []
            )
            params.append(
                {
                    **spec,
                    "value": typed.get(spec["name"], display_value(spec["default"])),
                    "default_shown": display_value(spec["default"]),
                    "range": range_text(spec),
                    "errors": messages,
                }
            )
        cards.append(
            {
                "name": name,
                "description": entry["description"] if entry else "",
                "checked": name in raw["selected"],
                "params": params,
                "errors": tree.take("search_algorithms", index) if index else [],
            }
        )
    return cards


def policies_context(raw: dict[str, Any], tree: ErrorTree) -> list[dict[str, Any]]:
    chosen = raw["policy"]
    options = []
    for entry in list_policies():
        if entry["name"] == "none":
            continue  # "No early termination" is the empty choice
        typed = raw["policy_params"].get(entry["name"], {})
        selected = chosen == entry["name"]
        options.append(
            {
                "name": entry["name"],
                "description": entry["description"],
                "selected": selected,
                "params": [
                    {
                        **spec,
                        "value": typed.get(spec["name"], display_value(spec["default"])),
                        "default_shown": display_value(spec["default"]),
                        "range": range_text(spec),
                        "errors": tree.take("policy", spec["name"]) if selected else [],
                    }
                    for spec in entry["params"]
                ],
            }
        )
    return options


def posted_environment(post: QueryDict) -> list[dict[str, str]]:
    """The environment table's rows as posted (``env-<i>-name``, ``env-<i>-value``), in
    row order; a row left blank is dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key in post:
        value = post.get(key, "")
        parts = key.split("-", 2)
        index = parts[1] if len(parts) == 3 and parts[0] == "env" else ""
        # ASCII digits only: "²".isdigit() is true, and int("²") raises.
        if index.isascii() and index.isdigit() and len(index) < 4:
            if parts[2] in ("name", "value"):
                rows.setdefault(int(parts[1]), {"name": "", "value": ""})[parts[2]] = value
    return [row for _, row in sorted(rows.items()) if row["name"].strip() or row["value"]]


def environment_rows(
    rows: list[dict[str, str]], tree: ErrorTree, blank: int = ENV_BLANK_ROWS
) -> list[dict[str, Any]]:
    """The table to draw: the rows as typed with their messages, then ``blank`` empty rows."""
    drawn = [
        {
            "index": i,
            "name": row["name"],
            "value": row["value"],
            "name_errors": tree.take("environment", i, "name"),
            "value_errors": tree.take("environment", i, "value") + tree.take("environment", i),
        }
        for i, row in enumerate(rows)
    ]
    drawn += [
        {"index": i, "name": "", "value": "", "name_errors": [], "value_errors": []}
        for i in range(len(rows), len(rows) + blank)
    ]
    return drawn
