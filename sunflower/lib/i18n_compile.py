"""Compile the translation catalogues: each sunflower/locale/*/LC_MESSAGES/django.po to django.mo.

    python -m sunflower.lib.i18n_compile          # write every .mo, warn about gaps
    python -m sunflower.lib.i18n_compile --check  # write nothing; fail on gaps or a stale .mo

It uses polib, which is pure Python, so a fresh machine needs no GNU gettext to compile. Only
refreshing the .po files from the source (`makemessages`, run by `make messages`) needs gettext.
Like msgfmt, it leaves fuzzy and untranslated entries out of the .mo, so they show in Chinese.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import polib  # type: ignore[import-untyped]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))


def gaps(catalogue: polib.POFile) -> list[str]:
    """Entries a reader of this language would still see in Chinese."""
    found = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.msgid}")
        elif not entry.translated():
            found.append(f"untranslated: {entry.msgid}")
    return found


def compile_catalogue(po_path: Path, *, check: bool = False) -> list[str]:
    """Compile one catalogue (or, with check, compare it with its .mo); return its problems."""
    catalogue = polib.pofile(str(po_path))
    problems = [f"{po_path}: {gap}" for gap in gaps(catalogue)]
    binary = catalogue.to_binary()
    mo_path = po_path.with_suffix(".mo")
    if check:
        if not mo_path.exists() or mo_path.read_bytes() != binary:
            problems.append(f"{mo_path}: out of date; run python -m sunflower.lib.i18n_compile")
    else:
        mo_path.write_bytes(binary)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sunflower.lib.i18n_compile", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail on gaps or a stale .mo"
    )
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    paths = catalogues(args.locale_dir)
    if not paths:
        print(f"no catalogues under {args.locale_dir}", file=sys.stderr)
        return 1
    problems: list[str] = []
    for po_path in paths:
        problems += compile_catalogue(po_path, check=args.check)
        if not args.check:
            print(f"compiled {po_path.with_suffix('.mo')}")
    for problem in problems:
        print(problem, file=sys.stderr)
    # Gaps only warn when compiling (new strings arrive before their translation); --check and
    # the test suite are where they fail.
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
