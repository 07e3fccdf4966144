"""The controls of the create-job and algorithm forms as a person sees and uses them: the
"Values to try" list, a row limited to an enumeration, the search-algorithm cards and the
algorithm's hyperparameter table at 1280 and 1920 px, and a bool's true/false value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from search import list_samplers
from tests.support.browser import (
    add_hyperparameter,
    fill_hyperparameter,
    login,
    screenshot,
    wait_for_status,
    write_script,
)
from tests.support.live import LiveConsole

NAME = "form-controls"
OPTIMIZERS = [
    "adam", "sgd", "rmsprop", "adagrad", "adadelta", "adamw", "nadam", "lamb", "lion",
    "lars", "sophia-with-a-much-longer-name", "ftrl",
]
SAMPLERS = ["tpe", "bayesian", "smac", "anneal", "grid", "random"]

# alice's algorithm: enumerated rows of both kinds and two bool rows. Its script prints
# the metric and exits, so a job of it ends at once.
SPEC = {
    "name": NAME,
    "boot_file": "train.py",
    "auto_search": True,
    "hyperparameters": [
        {"name": "optimizer", "type": "str", "default": "adam", "choices": OPTIMIZERS},
        {"name": "activation", "type": "str", "default": "relu", "choices": ["relu", "tanh"]},
        {"name": "batch", "type": "int", "default": 32, "choices": [16, 32, 64, 128]},
        {"name": "augment", "type": "bool", "default": True},
        {"name": "shuffle", "type": "bool"},
        {"name": "tag", "type": "str", "default": "base"},
    ],
    "metric": {"name": "acc", "goal": "maximize", "regex": "acc=([0-9.]+)"},
    "search_algorithms": [{"name": name} for name in SAMPLERS],
}
REGISTER = (
    "from django.contrib.auth import get_user_model\n"
    "from django.core.files.base import ContentFile\n"
    "from algorithms import services\n"
    "services.algorithm_create(owner=get_user_model().objects.get(username='alice'),\n"
    f"    spec={SPEC!r},\n"
    "    code=ContentFile(b'print(\"acc=0.5\")\\n', name='train.py'))\n"
)

# Geometry of a "Values to try" list: its box, the rows it shows, its options' boxes.
LIST_BOX = """select => {
  const box = select.getBoundingClientRect();
  const options = Array.from(select.options).map(o => o.getBoundingClientRect());
  return {clientHeight: select.clientHeight, scrollHeight: select.scrollHeight,
          clientWidth: select.clientWidth, scrollWidth: select.scrollWidth,
          top: box.top, bottom: box.bottom, size: select.size,
          optionHeights: options.map(o => o.height),
          lastBottom: options[options.length - 1].bottom,
          visible: options.filter(o => o.top >= box.top - 1 && o.bottom <= box.bottom + 1).length};
}"""

CARDS = """grid => Array.from(grid.querySelectorAll('.algo-card')).map(card => {
  const box = card.getBoundingClientRect();
  const desc = card.querySelector('.algo-desc');
  // Below the card's last shown part: its own padding and border, or blank space.
  const shown = Array.from(card.children).filter(child => child.getClientRects().length);
  const below = box.bottom - shown[shown.length - 1].getBoundingClientRect().bottom;
  return {name: card.querySelector('input[name=sa]').value, top: Math.round(box.top),
          left: box.left, right: box.right, width: box.width, height: box.height,
          ticked: card.querySelector('input[name=sa]').checked, below: below,
          text: desc.textContent, descFits: desc.scrollHeight <= desc.clientHeight + 1
            && desc.scrollWidth <= desc.clientWidth + 1,
          lines: Math.round(desc.clientHeight / parseFloat(getComputedStyle(desc).lineHeight)),
          gridRight: grid.getBoundingClientRect().right};
})"""


def open_algorithm(page: Any, live_console: LiveConsole) -> None:
    """The page of alice's NAME algorithm (registered once per live console)."""
    login(page, "alice")
    page.goto("/algorithms/")
    if not page.locator(f'[data-testid=algorithm-row][data-name="{NAME}"]').count():
        live_console.manage("shell", "-c", REGISTER)
    wait_for_status(page, NAME, "Ready", timeout=120)
    page.locator(f'[data-testid=algorithm-row][data-name="{NAME}"] a').first.click()


def open_create_page(page: Any, live_console: LiveConsole) -> None:
    """The create-job page of alice's NAME algorithm."""
    open_algorithm(page, live_console)
    page.get_by_test_id("create-job").click()
    expect(page.get_by_role("heading", name="Create training job")).to_be_visible()


def hp_row(page: Any, name: str) -> Any:
    return page.locator(f'[data-testid=job-hp-row][data-name="{name}"]')


def test_values_to_try_shows_every_value_up_to_ten_then_scrolls(
    page: Any, live_console: LiveConsole
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    open_create_page(page, live_console)
    for name in ("optimizer", "activation", "batch"):
        hp_row(page, name).get_by_test_id("range-toggle").click()
    lists = {name: hp_row(page, name).get_by_test_id("values") for name in
             ("optimizer", "activation", "batch")}
    for select in lists.values():
        expect(select).to_be_visible()
    screenshot(page, "job-create-values-lists")

    # Two or four values: all in sight, none scrolled, each row tall enough to click.
    for name, count in (("activation", 2), ("batch", 4)):
        box = lists[name].evaluate(LIST_BOX)
        assert box["size"] == count
        assert box["scrollHeight"] <= box["clientHeight"], (name, box)
        assert box["lastBottom"] <= box["bottom"] + 1 and box["visible"] == count
        assert min(box["optionHeights"]) >= 22, box["optionHeights"]
    # Twelve values: ten rows in sight, the rest a scroll away; the longest is not cut.
    box = lists["optimizer"].evaluate(LIST_BOX)
    assert box["size"] == 10 and box["visible"] == 10
    assert box["scrollHeight"] > box["clientHeight"]
    assert box["scrollWidth"] <= box["clientWidth"]
    lists["optimizer"].locator("option").last.scroll_into_view_if_needed()
    expect(lists["optimizer"].locator("option").last).to_be_in_viewport()

    # A number limited to an enumeration is searched over the values picked from its list.
    expect(hp_row(page, "batch").get_by_test_id("low")).to_have_count(0)
    lists["batch"].select_option(["16", "64"])
    hp_row(page, "activation").get_by_test_id("range-toggle").click()
    hp_row(page, "optimizer").get_by_test_id("range-toggle").click()
    page.get_by_test_id("sa-tpe").uncheck()
    page.get_by_test_id("sa-grid").check()
    expect(page.get_by_test_id("grid-size")).to_have_text("2")
    page.get_by_test_id("name").fill("batch-values")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/$"))
    expect(page.get_by_test_id("config-ranges")).to_contain_text("batch: one of 16, 64")


def test_search_algorithm_cards_show_whole_descriptions_in_aligned_columns(
    page: Any, live_console: LiveConsole
) -> None:
    descriptions = {entry["name"]: entry["description"] for entry in list_samplers()}
    open_create_page(page, live_console)
    hp_row(page, "batch").get_by_test_id("range-toggle").click()
    grid = page.get_by_test_id("search-algorithms").locator(".algo-grid")
    expect(grid).to_be_visible()
    # The first card, ticked, shows its parameters; the rest of its row does not.
    expect(page.get_by_test_id("sa-tpe")).to_be_checked()
    for name in SAMPLERS[1:]:
        expect(page.get_by_test_id(f"sa-{name}")).not_to_be_checked()
    for width, columns in ((1280, 3), (1920, 5)):
        page.set_viewport_size({"width": width, "height": 900})
        cards = grid.evaluate(CARDS)
        screenshot(page, f"job-create-cards-{width}")
        assert [c["name"] for c in cards] == SAMPLERS
        for card in cards:
            # The whole description, wrapped, nothing cut.
            assert card["text"] == descriptions[card["name"]]
            assert card["descFits"], card
            assert card["right"] <= card["gridRight"] + 1
        assert max(c["lines"] for c in cards) > 1  # the long ones do wrap
        rows: dict[int, list[dict[str, Any]]] = {}
        for card in cards:
            rows.setdefault(card["top"], []).append(card)
        assert len(next(iter(rows.values()))) == columns
        for card in cards:
            # Each card as tall as its own content: no blank space under an unticked card
            # beside the ticked one (only its 10px padding and 1px border).
            assert card["below"] < 14, card
        first_row = next(iter(rows.values()))
        assert first_row[0]["ticked"] and first_row[0]["height"] > 2 * first_row[1]["height"]
        # Side by side from one top, in columns of one width.
        assert max(c["width"] for c in cards) - min(c["width"] for c in cards) < 1
        lefts = sorted({round(c["left"]) for c in cards})
        assert len(lefts) == columns  # every row starts its cards in the same columns


def test_a_bool_value_is_a_true_false_choice_on_both_forms(
    page: Any, live_console: LiveConsole, tmp_path: Path
) -> None:
    open_create_page(page, live_console)
    augment = hp_row(page, "augment").get_by_test_id("value")
    expect(augment).to_have_js_property("tagName", "SELECT")
    assert augment.locator("option").all_inner_texts() == ["default (true)", "true", "false"]
    expect(augment).to_have_value("true")
    expect(hp_row(page, "shuffle").get_by_test_id("value")).to_have_value("")

    # The algorithm form: a bool row's default is chosen, not typed.
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("bad name!")  # refused, to see what is kept
    page.get_by_test_id("code-file").set_input_files(str(write_script(tmp_path)))
    page.get_by_test_id("boot-file").fill("train.py")
    add_hyperparameter(page, name="verbose", type="bool")
    row = page.get_by_test_id("hp-row").nth(0)
    default = row.locator("[data-col=default]")
    expect(default).to_have_js_property("tagName", "SELECT")
    assert default.locator("option").all_inner_texts() == ["(none)", "true", "false"]
    expect(row.locator("input[name$='-default']")).to_be_hidden()
    fill_hyperparameter(page, 0, default="true")
    # A flag typed while the row was a str carries over when it becomes a bool.
    add_hyperparameter(page, name="quiet", type="str", default="No")
    fill_hyperparameter(page, 1, type="bool")
    expect(page.get_by_test_id("hp-row").nth(1).locator("[data-col=default]")).to_have_value(
        "false"
    )
    # Back to str: the text typed before is still there.
    fill_hyperparameter(page, 1, type="str")
    expect(page.get_by_test_id("hp-row").nth(1).locator("[data-col=default]")).to_have_value("No")
    fill_hyperparameter(page, 1, type="bool")
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("form-errors")).to_contain_text("The algorithm was not saved")
    screenshot(page, "algorithm-create-bool-default")
    rows = page.get_by_test_id("hp-row")
    expect(rows.nth(0).locator("[data-col=default]")).to_have_value("true")
    expect(rows.nth(1).locator("[data-col=default]")).to_have_value("false")
    expect(rows.nth(1).locator("[data-col=type]")).to_have_value("bool")

    page.get_by_test_id("name").fill("bool-defaults")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/algorithms/\d+/$"))
    shown = page.get_by_test_id("hyperparameter-row")
    expect(shown.nth(0)).to_contain_text("--verbose")
    expect(shown.nth(0).locator("td").nth(3)).to_have_text("true")
    expect(shown.nth(1).locator("td").nth(3)).to_have_text("false")


def test_a_row_with_an_enumeration_offers_only_its_values(
    page: Any, live_console: LiveConsole
) -> None:
    open_create_page(page, live_console)
    optimizer = hp_row(page, "optimizer")
    # Its fixed value is one of the enumeration (or blank: its default runs).
    value = optimizer.get_by_test_id("value")
    expect(value).to_have_js_property("tagName", "SELECT")
    assert value.locator("option").all_inner_texts() == ["default (adam)", *OPTIMIZERS]
    expect(value).to_have_value("adam")

    # Searched: values are picked from the list, with nothing to type more into.
    optimizer.get_by_test_id("range-toggle").click()
    expect(optimizer.get_by_test_id("values")).to_be_visible()
    expect(optimizer.get_by_test_id("typed")).to_have_count(0)
    expect(optimizer.get_by_text("More values")).to_have_count(0)
    assert optimizer.get_by_test_id("dist").locator("option").all_inner_texts() == ["Values"]
    # A str row that takes any text still has its box to type values into.
    tag = hp_row(page, "tag")
    tag.get_by_test_id("range-toggle").click()
    expect(tag.get_by_test_id("typed")).to_be_visible()
    tag.get_by_test_id("range-toggle").click()
    screenshot(page, "job-create-enumerated-row")

    # Nothing picked: the plan asks for it, the server says so on the list, nothing is lost.
    optimizer.get_by_test_id("values").select_option([])
    expect(page.get_by_test_id("plan-needs")).to_contain_text("fill in the range of optimizer")
    hp_row(page, "activation").get_by_test_id("value").select_option("tanh")
    page.get_by_test_id("name").fill("picked-values")
    page.get_by_test_id("submit").click()
    refused = hp_row(page, "optimizer")
    expect(refused.locator(".rf-values.has-error")).to_contain_text(
        "optimizer: pick at least one value to try."
    )
    expect(hp_row(page, "activation").get_by_test_id("value")).to_have_value("tanh")

    # Any values the list offers are taken as they are.
    refused.get_by_test_id("values").select_option(["sgd", "sophia-with-a-much-longer-name"])
    page.get_by_test_id("sa-tpe").uncheck()
    page.get_by_test_id("sa-grid").check()
    expect(page.get_by_test_id("grid-size")).to_have_text("2")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/$"))
    expect(page.get_by_test_id("config-ranges")).to_contain_text(
        "optimizer: one of sgd, sophia-with-a-much-longer-name"
    )


# Geometry of the algorithm's hyperparameter table in its scrolling box, and of each row's
# move and remove buttons: where they are, and whether a click there reaches them.
HP_TABLE = """wrap => {
  const box = wrap.getBoundingClientRect();
  const table = wrap.querySelector('table');
  const rows = Array.from(table.querySelectorAll('tr.hp-row')).map(row => {
    const buttons = Array.from(row.querySelectorAll('.hp-actions .icon-btn')).map(button => {
      const b = button.getBoundingClientRect();
      const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
      return {left: b.left, right: b.right, reached: hit === button || button.contains(hit)};
    });
    const widths = {};
    row.querySelectorAll('input[type=text][data-col], select[data-col]').forEach(input => {
      if (!input.getClientRects().length) return;  // the default's hidden other control
      widths[input.dataset.col] = input.getBoundingClientRect().width;
    });
    return {buttons: buttons, widths: widths};
  });
  return {left: box.left, right: box.right, clientLeft: wrap.clientLeft,
          clientWidth: wrap.clientWidth, scrollWidth: wrap.scrollWidth,
          tableWidth: table.getBoundingClientRect().width, rows: rows};
}"""


def test_hyperparameter_table_fits_its_box_with_every_rows_buttons_in_sight(
    page: Any, live_console: LiveConsole
) -> None:
    open_algorithm(page, live_console)
    page.get_by_test_id("edit-algorithm").click()
    rows = page.get_by_test_id("hp-row")
    expect(rows).to_have_count(6)  # SPEC's rows
    fill_hyperparameter(page, 0, description="Which optimiser updates the weights; adamw "
                        "decouples the weight decay from the gradient step")
    wrap = page.locator(".table-wrap", has=page.get_by_test_id("hp-table"))
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        # In the middle of the window, clear of the sticky top bar.
        wrap.evaluate("wrap => wrap.scrollIntoView({block: 'center'})")
        table = wrap.evaluate(HP_TABLE)
        screenshot(page, f"algorithm-hp-table-{width}")
        # No horizontal scroll: the table is as wide as its box.
        assert table["scrollWidth"] <= table["clientWidth"], table
        assert abs(table["tableWidth"] - table["clientWidth"]) <= 1, table
        visible_left = table["left"] + table["clientLeft"]
        visible_right = visible_left + table["clientWidth"]
        for row in table["rows"]:
            assert len(row["buttons"]) == 3
            for button in row["buttons"]:
                assert visible_left <= button["left"] and button["right"] <= visible_right, (
                    width, button, visible_right)
                assert button["reached"], (width, button)
            # Every input still wide enough to read a value such as 0.00001.
            assert min(row["widths"].values()) >= 60, (width, row["widths"])
        if width == 1920:  # the room a wide screen adds goes to the description
            assert table["rows"][0]["widths"]["description"] >= 350, table["rows"][0]
