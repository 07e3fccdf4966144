"""English date and time formats: one unambiguous, sortable way on every page.

Django's English locale writes "Dec. 1, 2026, 12:44 a.m."; jobs, trials, datasets and
algorithms are compared by their times, so every page writes ``2026-12-01 00:44:07`` in
the console's time zone (``TIME_ZONE``), as the trial page's live updates do.
"""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i:s"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i:s"
