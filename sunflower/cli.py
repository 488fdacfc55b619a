"""The `sunflower` command: Django's manage.py plus the project's own commands.

sunflower migrate | shell -c … | serve | demo | roster import FILE | roster export FILE …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunflower.settings")
    from django.core.management import execute_from_command_line

    from sunflower.lib.config import ConfigError

    args = list(sys.argv if argv is None else argv)
    args[0] = "sunflower"
    try:
        execute_from_command_line(args)
    except ConfigError as exc:
        print(f"sunflower: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
