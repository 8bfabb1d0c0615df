"""The ``jiuzhu`` command: Django's management commands under the platform's name
(``jiuzhu demo``, ``jiuzhu serve``, ``jiuzhu tick``, ``jiuzhu migrate`` …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiuzhu", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
