"""The workbook writer's fast paths (issue 17 item 5) give what the cell-by-cell code gives."""

from __future__ import annotations

import math
import random

from scp_metrics.publish.workbook.writer import _display_length, longest_display

FORMATS = [None, "#,##0", "#,##0.0", "0.00%", "#,##0.000;-#,##0.000"]


def test_the_longest_display_is_the_longest_of_every_cell():
    rng = random.Random(17)
    for _ in range(300):
        n = rng.randint(0, 40)
        values = []
        for _ in range(n):
            pick = rng.random()
            if pick < 0.35:
                values.append(rng.uniform(-1e7, 1e7) * 10 ** rng.randint(-6, 0))
            elif pick < 0.5:
                values.append(rng.randint(-10**9, 10**9))
            elif pick < 0.6:
                values.append(rng.choice([math.nan, None, math.inf, -math.inf, True, -0.0004]))
            elif pick < 0.7:
                values.append(rng.choice([9.9999, -9.9996, 0.99951, 99999.95]))
            else:
                values.append("x" * rng.randint(0, 80))
        formats = [rng.choice(FORMATS) for _ in values]
        expected = max((_display_length(v, f) for v, f in zip(values, formats, strict=True)),
                       default=0)
        assert longest_display(values, formats) == expected, (values, formats)
