"""Record new instrument versions as released: `python -m sunflower.scales.release`.

Adds the sha256 of every shipped file that is not yet in instruments/released.json, after
checking it in full (schema and cross-field rules). It never changes an existing entry: a
released version is immutable, and a change belongs in a new version file.
"""

from __future__ import annotations

import hashlib
import json
import sys

from sunflower.scales.errors import InstrumentError
from sunflower.scales.loader import INSTRUMENTS_DIR, RELEASED_PATH, validate_instrument_file


def release() -> list[str]:
    released: dict[str, str] = json.loads(RELEASED_PATH.read_text(encoding="utf-8"))
    added: list[str] = []
    for path in sorted(INSTRUMENTS_DIR.glob("*.yaml")):
        instrument = validate_instrument_file(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        known = released.get(instrument.ref)
        if known is None:
            released[instrument.ref] = digest
            added.append(instrument.ref)
        elif known != digest:
            raise InstrumentError(
                f"{path.name}: version: {instrument.ref} is released and may not change; "
                "put the change in a new version file"
            )
    ordered = dict(sorted(released.items()))
    RELEASED_PATH.write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")
    return added


def main() -> int:
    try:
        added = release()
    except InstrumentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("released: " + (", ".join(added) if added else "nothing new"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
