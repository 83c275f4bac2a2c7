"""Entry point for `python -m engine`."""

import sys

from engine.authoring.cli import main

sys.exit(main())
