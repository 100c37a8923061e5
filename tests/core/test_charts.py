"""The digest's charts: a real PNG of about 600 x 300 pixels, the same bytes for the same
figures, and the same figures as text for screen readers and the console."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys

from bot.charts import describe, render_png
from bot.domain.digest import Distribution

GRADES = Distribution(
    "Grades given",
    (("Outstanding", 3), ("Good", 12), ("Requires improvement", 9), ("Inadequate", 6)),
)
TREND = Distribution(
    "QA work completed",
    (("Oct-Dec 2025", 31), ("Jan-Mar 2026", 40), ("Apr-Jun 2026", 38), ("Jul-Sep 2026", 44)),
    kind="line",
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def size_of(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def chunks(png: bytes) -> list[bytes]:
    names, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        names.append(png[at + 4 : at + 8])
        at += 12 + length
    return names


def test_a_bar_chart_is_a_png_of_about_600_by_300() -> None:
    png = render_png(GRADES)
    assert png.startswith(PNG_MAGIC)
    assert size_of(png) == (600, 300)


def test_the_same_figures_give_the_same_bytes_and_no_timestamp() -> None:
    assert render_png(GRADES) == render_png(GRADES)
    assert render_png(TREND) == render_png(TREND)
    assert render_png(GRADES) != render_png(TREND)
    assert b"tIME" not in chunks(render_png(GRADES))
    assert b"Software" not in render_png(GRADES)


def test_other_figures_draw_another_chart() -> None:
    other = Distribution(GRADES.title, (*GRADES.counts[:3], ("Inadequate", 7)))
    assert render_png(other) != render_png(GRADES)


def test_empty_data_still_draws_a_chart_saying_so() -> None:
    empty = Distribution("Grades given", ())
    zeros = Distribution("Grades given", (("Good", 0), ("Inadequate", 0)))
    for dist in (empty, zeros):
        png = render_png(dist)
        assert png.startswith(PNG_MAGIC)
        assert size_of(png) == (600, 300)
    assert describe(empty) == "Grades given: no data for this period."


def test_the_text_gives_the_same_figures_with_shares() -> None:
    assert describe(GRADES) == (
        "Grades given: Outstanding 3 (10%), Good 12 (40%), Requires improvement 9 (30%), "
        "Inadequate 6 (20%)."
    )
    assert describe(TREND) == (
        "QA work completed: Oct-Dec 2025 31, Jan-Mar 2026 40, Apr-Jun 2026 38, Jul-Sep 2026 44."
    )
    assert describe(Distribution("Themes", (("Voice", 0), ("Plans", 0)))) == (
        "Themes: Voice 0 (0%), Plans 0 (0%)."
    )


def test_importing_the_bot_does_not_import_matplotlib() -> None:
    code = "import sys, bot.charts, bot.app; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_many_categories_are_drawn_and_described_in_full() -> None:
    themes = Distribution(
        "Themes",
        tuple((f"A rather long theme name number {n}", 12 - n) for n in range(12)),
    )
    png = render_png(themes)
    assert png.startswith(PNG_MAGIC) and size_of(png) == (600, 300)
    # The text keeps every name whole, whatever the chart had to shorten.
    assert "A rather long theme name number 11 1 (1%)" in describe(themes)


def test_another_process_draws_the_same_bytes() -> None:
    code = (
        "import hashlib, sys; from bot.charts import render_png; "
        "from tests.core.test_charts import GRADES; "
        "print(hashlib.sha256(render_png(GRADES)).hexdigest())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(render_png(GRADES)).hexdigest()


QUOTAS = Distribution(
    "Quotas met",
    (("Family feedback", 12), ("Team dip review", 3), ("Observation", 0)),
    kind="completion",
    of=(15, 3, 0),
)


def test_a_completion_chart_is_described_out_of_its_totals() -> None:
    assert describe(QUOTAS) == (
        "Quotas met: Family feedback 12 of 15 (80 %), Team dip review 3 of 3 (100 %), "
        "Observation 0 of 0 (none due)."
    )


def test_a_completion_chart_draws_shares_of_each_total_not_counts() -> None:
    png = render_png(QUOTAS)
    assert png.startswith(PNG_MAGIC) and size_of(png) == (600, 300)
    # The same counts as plain bars are another picture, and other totals another again.
    assert png != render_png(Distribution(QUOTAS.title, QUOTAS.counts))
    assert png != render_png(
        Distribution(QUOTAS.title, QUOTAS.counts, kind="completion", of=(30, 3, 0))
    )
    assert png == render_png(QUOTAS)


def test_a_completion_chart_needs_a_total_for_every_category() -> None:
    import pytest

    with pytest.raises(ValueError, match="total for every category"):
        Distribution("Quotas met", (("A", 1), ("B", 2)), kind="completion", of=(3,))
    with pytest.raises(ValueError, match="only a completion chart"):
        Distribution("Grades", (("A", 1),), of=(3,))
