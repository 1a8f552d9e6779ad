"""``python -m scp_metrics.cli``."""

import sys

from scp_metrics.cli import main

sys.exit(main())
