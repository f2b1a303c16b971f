"""``python -m engine.sim`` (same as ``python -m engine sim``)."""

import sys

from engine.sim.cli import main

sys.exit(main())
