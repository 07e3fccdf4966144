import math

import pytest

from algorithms import metric_regex as mr
from algorithms.metric_regex import MetricRegexError

FORMATS = [
    ("accuracy=0.91", 0.91),
    ("accuracy = 0.91", 0.91),
    ("accuracy: 0.91", 0.91),
    ("epoch 3 {'accuracy': 0.91, 'loss': 0.3}", 0.91),
    ('{"epoch": 3, "accuracy": 0.91}', 0.91),
    ("accuracy 91.2%", 91.2),
    ("Test set: Average loss: 0.0332, Accuracy: 9812/10000 (98%)", 98.0),
    ("accuracy=1e-3", 0.001),
    ("accuracy: 2.5E+02", 250.0),
    ("accuracy=-0.5", -0.5),
    ("accuracy=.5", 0.5),
    ("accuracy=inf", math.inf),
    ("accuracy: -inf", -math.inf),
    ('{"accuracy": -Infinity}', -math.inf),
    ("2024-05-01T12:00:00.123Z INFO accuracy=0.75", 0.75),
    ("2024-05-01 12:00:00,123 - accuracy: 0.75", 0.75),
    ("1875/1875 [====] - 3s - loss: 0.29 - accuracy: 0.91 - val_accuracy: 0.95", 0.91),
    ("\x1b[32maccuracy\x1b[0m=0.6", 0.6),
]

NOT_THE_TOKEN = [
    "val_accuracy=0.3",
    "Validation-accuracy: 0.2",
    "Train-Accuracy 0.1",
    "accuracy_top5=0.9",
    "val/accuracy=0.9",
    "top1.accuracy: 0.9",
    "accuracy2 0.9",
    "accuracy is unknown",
]


def general_matcher(name: str) -> mr.MetricMatcher:
    return mr.compile_metric_regex(mr.general_metric_regex(name))


@pytest.mark.parametrize(("line", "expected"), FORMATS)
def test_general_regex_captures_each_format(line: str, expected: float) -> None:
    assert mr.match_line(general_matcher("accuracy"), line) == expected


@pytest.mark.parametrize(("line", "expected"), FORMATS)
def test_sample_proposes_a_candidate_that_captures_each_format(line: str, expected: float) -> None:
    candidates = mr.generate_metric_regex("accuracy", f"starting\n{line}\ndone\n")

    best = candidates[0]
    assert best.label != "any format"
    assert best.matches == [{"line_no": 2, "line": best.matches[0]["line"], "value": expected}]
    assert mr.test_log(best.pattern, line).matches[0]["value"] == expected


def test_nan_is_parsed() -> None:
    assert math.isnan(mr.match_line(general_matcher("loss"), "step 3 loss: nan"))
    assert math.isnan(mr.match_line(general_matcher("loss"), '{"loss": NaN}'))


def test_table_field_with_a_spaced_name() -> None:
    line = "| end of epoch   1 | time: 12.3s | valid loss  6.47 | valid ppl   647.43 |"
    candidates = mr.generate_metric_regex("valid ppl", line)

    assert [c.label for c in candidates] == ["table field"]
    assert candidates[0].matches[0]["value"] == 647.43
    assert mr.match_line(general_matcher("valid ppl"), line) == 647.43
    assert mr.match_line(general_matcher("valid loss"), line) == 6.47


@pytest.mark.parametrize("line", NOT_THE_TOKEN)
def test_name_is_matched_as_a_whole_token_only(line: str) -> None:
    assert mr.match_line(general_matcher("accuracy"), line) is None
    for candidate_pattern in [p for _, p, _ in mr._format_candidates("accuracy")]:
        assert mr.test_log(candidate_pattern, line).matches == []


def test_name_is_case_insensitive() -> None:
    assert mr.match_line(general_matcher("Accuracy"), "ACCURACY=0.5") == 0.5


def test_without_sample_the_general_regex_comes_back() -> None:
    candidates = mr.generate_metric_regex("accuracy")

    assert [(c.label, c.matches) for c in candidates] == [("any format", [])]
    assert candidates[0].pattern == mr.general_metric_regex("accuracy")


def test_sample_without_the_metric_falls_back_to_the_general_regex() -> None:
    candidates = mr.generate_metric_regex("accuracy", "loss=0.3\nprecision=0.9\n")

    assert [(c.label, c.matches) for c in candidates] == [("any format", [])]


def test_longer_printed_names_are_proposed_when_the_name_itself_is_not_printed() -> None:
    sample = (
        "2026-11-22T15:36:23Z Train-Accuracy=1.00\n"
        "2026-11-22T15:36:23Z Validation-Accuracy=0.99\n"
        "2026-11-22T15:36:23Z Test-Accuracy=0.98\n"
    )
    candidates = mr.generate_metric_regex("accuracy", sample)

    assert [(c.printed_name, [m["value"] for m in c.matches]) for c in candidates] == [
        ("Train-Accuracy", [1.0]),
        ("Validation-Accuracy", [0.99]),
        ("Test-Accuracy", [0.98]),
    ]


REAL_SCRIPTS = [
    ("accuracy", "{metricName: accuracy, metricValue: 0.7912}", 0.7912),
    ("accuracy", "Accuracy of the network on the 10000 test images: 54 %", 54.0),
    ("loss", '{"epoch": 1, "loss": "0.25"}', 0.25),
    ("loss", "{'loss': np.float64(0.25)}", 0.25),
    ("reward", "episode 12 | reward: 1,234.5", 1234.5),
    (
        "accuracy",
        "50/100 [==>...] - loss: 0.3 - accuracy: 0.81\r100/100 [=====] - 1s - loss: 0.2 - "
        "accuracy: 0.91 - val_accuracy: 0.89",
        0.91,
    ),
]


@pytest.mark.parametrize(("name", "line", "expected"), REAL_SCRIPTS)
def test_formats_of_real_scripts_are_generated_and_read(
    name: str, line: str, expected: float
) -> None:
    best = mr.generate_metric_regex(name, line + "\n")[0]

    assert [m["value"] for m in best.matches] == [expected]
    assert mr.test_log(best.pattern, line).matches[0]["value"] == expected
    assert best.description


@pytest.mark.parametrize(("name", "line", "expected"), REAL_SCRIPTS)
def test_general_regex_never_reads_a_prefix(name: str, line: str, expected: float) -> None:
    value = mr.match_line(general_matcher(name), line)
    assert value is None or value == expected


def test_thousands_are_read_whole_never_a_prefix() -> None:
    matcher = mr.compile_metric_regex(mr.generate_metric_regex("reward", "reward: 1.5")[0].pattern)
    assert mr.match_line(matcher, "episode 12 | reward: 1,234.5") == 1234.5


def test_common_formats_are_short() -> None:
    for line in ("accuracy=0.91", "accuracy: 0.91", "accuracy 0.91"):
        assert len(mr.generate_metric_regex("accuracy", line)[0].pattern) <= 80, line


def test_tester_and_runner_read_a_keras_line_as_the_terminal_shows_it() -> None:
    line = "accuracy: 0.81\r100/100 [=====] - accuracy: 0.91 - val_accuracy: 0.89"
    matcher = general_matcher("accuracy")
    assert mr.match_line(matcher, line) == 0.91
    assert mr.match_line(matcher, mr.terminal_text(line)) == 0.91
    assert [m["value"] for m in mr.test_log(matcher.pattern, line).matches] == [0.91]


def test_distinct_formats_are_all_proposed_most_lines_first() -> None:
    sample = "epoch 1 acc=0.9\nepoch 2 acc=0.92\n{'acc': 0.8, 'loss': 0.1}\n"

    candidates = mr.generate_metric_regex("acc", sample)

    assert [c.label for c in candidates] == ["name=value", "JSON/dict"]
    assert [m["value"] for m in candidates[0].matches] == [0.9, 0.92]
    assert candidates[1].matches == [
        {"line_no": 3, "line": "{'acc': 0.8, 'loss': 0.1}", "value": 0.8}
    ]
    assert candidates[0].as_dict()["pattern"] == candidates[0].pattern


def test_count_and_percentage_propose_the_percentage_first() -> None:
    candidates = mr.generate_metric_regex("accuracy", "Accuracy: 9812/10000 (98%)")

    assert [(c.label, c.matches[0]["value"]) for c in candidates] == [
        ("n/N (pct%)", 98.0),
        ("name: value", 9812.0),
    ]


def test_formats_giving_the_same_values_are_proposed_once() -> None:
    candidates = mr.generate_metric_regex("acc", "acc 12%\n")

    assert [c.label for c in candidates] == ["name value%"]


def test_progress_bar_line_takes_the_last_segment() -> None:
    line = "\r 10%|#    | loss=0.9\r 50%|###  | loss=0.5\r100%|#####| loss=0.2\n"

    assert mr.match_line(general_matcher("loss"), line) == 0.2
    assert mr.test_log(mr.general_metric_regex("loss"), line).matches == [
        {"line_no": 1, "line": "100%|#####| loss=0.2", "value": 0.2}
    ]


def test_progress_bar_line_reads_what_the_terminal_shows() -> None:
    # The bar drawn over the loss hides it, as on the user's screen.
    line = "epoch 1 loss=0.4\r  0%|          | 0/10\r"

    assert mr.match_line(general_matcher("loss"), line) is None


def test_test_log_lists_matching_lines_with_numbers() -> None:
    log = "start\r\nloss=1.5\r\nnothing\r\nloss=0.5\r\n"

    assert mr.test_log(r"loss=(\d+\.\d+)", log).matches == [
        {"line_no": 2, "line": "loss=1.5", "value": 1.5},
        {"line_no": 4, "line": "loss=0.5", "value": 0.5},
    ]


def test_percent_sign_in_the_group_is_dropped() -> None:
    assert mr.test_log(r"acc (\S+)", "acc 91.2%").matches[0]["value"] == 91.2


def test_non_numeric_capture_gives_no_value() -> None:
    assert mr.test_log(r"acc=(\w+)", "acc=abc\nacc=3\n").matches == [
        {"line_no": 2, "line": "acc=3", "value": 3.0}
    ]


def test_named_value_group_is_used_among_several() -> None:
    matcher = mr.compile_metric_regex(r"(step) (\d+) acc=(?P<value>[\d.]+)")

    assert mr.match_line(matcher, "step 4 acc=0.7") == 0.7


def test_long_line_returns() -> None:
    matchers = [general_matcher("accuracy"), mr.compile_metric_regex(r"(\d+)\s*$")]
    for matcher in matchers:
        for line in ["1" * 1_000_000, " " * 1_000_000 + "x", "accuracy=" * 200_000]:
            value = mr.match_line(matcher, line)

            assert value is None or isinstance(value, float)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("acc=(\\d+", "does not compile: missing ), unterminated subpattern at position 4"),
        ("acc=[", "does not compile"),
        ("acc=\\d+", "no capture group"),
        ("(acc)=(\\d+)", "2 capture groups"),
        ("", "Enter a regular expression"),
        ("(a+)+$", "exponential time"),
        ("(a|a)*b", "exponential time"),
        ("(.*)*x", "exponential time"),
        ("(\\w+\\s?)+$", "exponential time"),
        ("acc=((?:\\d{1,3})+)", "exponential time"),
        ("(?:x(?:a|a))+(y)", "exponential time"),
    ],
)
def test_bad_patterns_are_refused_with_a_message(pattern: str, message: str) -> None:
    with pytest.raises(MetricRegexError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mr.compile_metric_regex(pattern)


def test_slow_but_not_nested_pattern_is_refused_by_the_timing_probe() -> None:
    with pytest.raises(MetricRegexError, match="too slow"):
        mr.compile_metric_regex(r"(?P<value>\d+).*.*.*.*z")


def test_delimited_repeats_are_accepted() -> None:
    matcher = mr.compile_metric_regex(r"lr=(?:\d+,)*(?P<value>\d+\.\d+)")

    assert mr.match_line(matcher, "lr=1,2,0.5") == 0.5


def test_test_log_refuses_a_bad_pattern() -> None:
    with pytest.raises(MetricRegexError):
        mr.test_log("(a+)+", "aaaa")


def test_metric_name_validation() -> None:
    assert mr.validate_metric_name("  valid ppl ") == "valid ppl"
    assert mr.validate_metric_name("a" * 64) == "a" * 64
    for bad in ["", "   ", "a" * 65, "acc\nloss"]:
        with pytest.raises(MetricRegexError):
            mr.validate_metric_name(bad)


# --- the tester's bounds ---------------------------------------------------------------------


def test_test_log_stops_a_slow_pattern_at_its_time_budget() -> None:
    # Accepted by the probe, yet quadratic on a long run of digits with no "x" after it:
    # over thousands of such lines the scan would take minutes without the budget.
    pattern = r"(?P<value>\d+)x"
    line = "1" * mr.MAX_LINE_CHARS
    log = "\n".join([line] * 1_000)
    result = mr.test_log(pattern, log, time_budget_s=0.05)
    assert result.truncated and result.stopped == "time budget"
    assert result.lines_total == 1_000
    assert 1 <= result.lines_scanned < 1_000
    assert result.note() == f"stopped after {result.lines_scanned} of 1000 lines: time budget"


def test_test_log_looks_at_the_first_lines_only() -> None:
    log = "acc=1\n" * (mr.TEST_MAX_LINES + 500)
    result = mr.test_log(r"acc=(\d+)", log)
    assert result.stopped == "size limit"
    assert (result.lines_scanned, result.lines_total) == (
        mr.TEST_MAX_LINES,
        mr.TEST_MAX_LINES + 500,
    )
    assert len(result.matches) == mr.TEST_MAX_LINES


def test_test_log_caps_the_characters_it_reads() -> None:
    log = "\n".join(["acc=1" + " " * 995] * 100)  # 100 lines of 1,000 characters
    result = mr.test_log(r"acc=(\d+)", log, max_chars=10_000)
    assert result.stopped == "size limit"
    assert result.lines_scanned < result.lines_total == 100


def test_test_log_of_a_short_log_is_complete() -> None:
    result = mr.test_log(r"acc=(\d+)", "acc=1\nacc=2\n")
    assert not result.truncated and result.note() == ""
    assert (result.lines_scanned, result.lines_total) == (2, 2)
