"""`python -m engine`: the rule authors' commands (`assess`, `rules ...`) without the server's."""

from engine.authoring.cli import command_line

command_line()(prog_name="python -m engine")
