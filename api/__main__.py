"""`python -m api [COMMAND]`: the `readiness` command; with no command, `serve`."""

import sys

from api.cli import readiness

readiness(args=sys.argv[1:] or ["serve"], prog_name="python -m api")
