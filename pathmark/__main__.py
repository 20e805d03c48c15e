"""The `pathmark` console script: Django's manage.py under the product's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathmark.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line([sys.argv[0], *sys.argv[1:]])
    except BrokenPipeError:
        # The reader went away (`pathmark instruments show ... | head`): stop quietly, as
        # Unix tools do, instead of printing a traceback. Standard output is pointed at
        # /dev/null so that Python's flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)  # 128 + SIGPIPE, what a shell reports for a command killed by it


if __name__ == "__main__":
    main()
