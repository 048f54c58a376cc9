"""``python -m sppr_cli``: the same as the ``sppr`` command."""

from sppr_cli.main import cli

if __name__ == "__main__":
    cli(prog_name="sppr")
