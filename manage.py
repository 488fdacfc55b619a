#!/usr/bin/env python
"""Django's command-line utility; `sunflower` is the same with the project's own commands."""

import sys

from sunflower.cli import main

if __name__ == "__main__":
    sys.exit(main())
