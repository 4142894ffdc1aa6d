"""Print pip constraints that pin every dependency of pyproject.toml to its lowest allowed version.

pip has no "lowest versions" resolver: CI installs with `pip install -c <this output>` to test the
oldest releases the project says it supports (`pkg>=1.2` -> `pkg==1.2`; an exact pin stays as it
is). Usage: python .ci/lower_bounds.py [EXTRA ...] > constraints.txt (the runtime dependencies
always; the named extras too).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# name [extras] then the version clauses; markers (after ";") are not used by this project.
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*(;.*)?$")


def lowest(requirement: str) -> str | None:
    """`name==lowest` for one requirement, or None when it names no lower bound."""
    m = _REQ.match(requirement)
    if not m:
        raise SystemExit(f"lower_bounds: cannot read the requirement {requirement!r}")
    name, clauses = m.group(1), [c.strip() for c in m.group(3).split(",") if c.strip()]
    for c in clauses:
        for op in ("==", ">=", "~="):
            if c.startswith(op):
                return f"{name}=={c[len(op):].strip()}"
    return None


def main(extras: list[str]) -> None:
    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins: dict[str, str] = {}
    for r in requirements:
        pin = lowest(r)
        if pin is not None:
            pins.setdefault(pin.split("==")[0].lower(), pin)
    print("\n".join(sorted(pins.values())))


if __name__ == "__main__":
    main(sys.argv[1:])
