"""What the create/edit algorithm page draws: a saved algorithm's values as the page's raw
fields, the hyperparameter table's rows and the search algorithm cards with the messages
beside their inputs, and what the page says about the script's ``--help``.

Reading a POST (fields, the code package, fields too large to read) is ``algorithms.forms``.
"""

from __future__ import annotations

from typing import Any

from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.help_merge import MergeReport, left_out_by_reason, missing_from_table
from algorithms.models import Algorithm
from algorithms.script_help import read_options
from algorithms.spec_display import display_row, display_value, range_text
from search.samplers import list_samplers


def raw_from_instance(algorithm: Algorithm) -> dict[str, Any]:
    """The page's raw fields holding a saved algorithm, as ``forms`` reads them from a POST."""
    rows = [
        display_row(
            {
                "name": hp.name,
                "type": hp.type,
                "default": hp.default,
                "min": hp.min,
                "max": hp.max,
                "choices": hp.choices,
                "required": hp.required,
                "description": hp.description,
            }
        )
        for hp in algorithm.hyperparameters.all()
    ]
    selected = [item["name"] for item in algorithm.search_algorithms]
    params = {
        item["name"]: {k: display_value(v) for k, v in (item.get("params") or {}).items()}
        for item in algorithm.search_algorithms
    }
    return {
        "name": algorithm.name,
        "description": algorithm.description,
        "code_source": algorithm.code_source,
        "server_path": algorithm.server_path,
        "boot_file": algorithm.boot_file,
        "engine": str(algorithm.engine_id or ""),
        "argument_style": algorithm.argument_style,
        "bool_style": algorithm.bool_style,
        "accepts_data_urls": algorithm.accepts_data_urls,
        "hyperparameters": rows,
        "auto_search": algorithm.auto_search,
        "metric": {
            "name": algorithm.metric_name,
            "goal": algorithm.metric_goal,
            "regex": algorithm.metric_regex,
        },
        "sample_log": algorithm.sample_log,
        "confirm_no_match": False,
        "selected": selected,
        "params": params,
    }


def rows_context(
    rows: list[dict[str, Any]], errors: AlgorithmErrors, marks: dict[str, str]
) -> list[dict[str, Any]]:
    """The hyperparameter table's rows with their messages and what filling them from the
    script's ``--help`` did to each (``marks``, by row name)."""
    return [
        {
            "index": i,
            "values": row,
            "errors": errors.rows.get(i, {}),
            "mark": marks.get(str(row["name"]).strip(), ""),
        }
        for i, row in enumerate(rows)
    ]


def help_offer(algorithm: Algorithm) -> dict[str, Any]:
    """What the detail page says about the script's ``--help`` (see ``help_context``)."""
    return help_context(raw_from_instance(algorithm), algorithm, None)


def help_context(
    raw: dict[str, Any], instance: Algorithm | None, merged: MergeReport | None
) -> dict[str, Any]:
    """What a page says about the script's ``--help``: how many options it lists, which
    are not in the table, which are not rows and why, and what filling the table did."""
    if instance is None:
        return {"count": 0}
    options = read_options(instance.script_help, instance.script_arguments)
    return {
        "count": len(options.hyperparameters),
        "missing": missing_from_table(raw["hyperparameters"], options),
        "left_out": left_out_by_reason(options.left_out),
        "data_switch_off": options.accepts_data_urls and not raw.get("accepts_data_urls"),
        "merged": merged,
    }


def samplers_context(
    raw: dict[str, Any], spec: dict[str, Any], errors: AlgorithmErrors
) -> list[dict[str, Any]]:
    """One card per sampler, titled by its canonical name, its ModelArts aliases beside it.

    A sampler selected under an alias (posted, or saved through the API as e.g.
    ``tpe_search``) shows checked on its canonical card and keeps that name: its checkbox
    and parameter inputs post ``sa=tpe_search`` and ``sa-tpe_search-<param>``, so re-saving
    stores the name the algorithm had. Unselected cards post under the canonical name.
    """
    by_name: dict[str, dict[str, list[str]]] = {}
    for index, item in enumerate(spec.get("search_algorithms", [])):
        by_name[item["name"]] = errors.search_algorithm_params.get(index, {})
    options = []
    for entry in list_samplers():
        names = {n.lower() for n in (entry["name"], *entry["aliases"])}
        chosen = [n for n in raw["selected"] if n.lower() in names]
        name = chosen[0] if chosen else entry["name"]
        typed = raw["params"].get(name, {})
        param_errors = by_name.get(name, {})
        options.append(
            {
                "name": name,
                "position": raw["selected"].index(name) + 1 if chosen else 0,
                "canonical": entry["name"],
                "aliases": entry["aliases"],
                "is_alias": name != entry["name"],
                "description": entry["description"],
                "checked": bool(chosen),
                "errors": param_errors.get("__all__", []),
                "params": [
                    {
                        **spec_,
                        "value": typed.get(spec_["name"], display_value(spec_["default"])),
                        "default_shown": display_value(spec_["default"]),
                        "range": range_text(spec_),
                        "errors": param_errors.get(spec_["name"], []),
                    }
                    for spec_ in entry["params"]
                ],
            }
        )
    return options
