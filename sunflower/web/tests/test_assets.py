"""Government intranets have no internet: no template or static file may load from outside."""

import re
from pathlib import Path

import sunflower

ROOT = Path(sunflower.__file__).parent
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
# Vendored libraries mention their home pages in comments and strings, never load them.
VENDORED = ROOT / "static" / "vendor"


def asset_files() -> list[Path]:
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("static/**/*")]
    return [f for f in files if f.is_file() and VENDORED not in f.parents and f.suffix != ".png"]


class SelfHostedAssetsTestCase:
    def test_it_finds_the_files_it_checks(self) -> None:
        names = {f.name for f in asset_files()}
        assert {"base.html", "app.css"} <= names

    def test_no_template_or_static_file_loads_from_another_host(self) -> None:
        offenders = [
            f"{path.relative_to(ROOT)}: {match.group(0)}"
            for path in asset_files()
            for match in EXTERNAL.finditer(path.read_text(errors="ignore"))
        ]
        assert offenders == []

    def test_htmx_is_vendored(self) -> None:
        assert (VENDORED / "htmx.min.js").stat().st_size > 10_000
