"""What the explorer remembers between runs, and the keys a user remapped.

- Remembered (written when changed in the app): the theme picked in the command palette, the
  service colour palette, and UTC or local time — in `$XDG_STATE_HOME/tracetui/state.json`
  (`~/.local/state/tracetui/state.json`; `TRACETUI_STATE` names another file).
- Remapped keys: a `[keys]` table in the config file (`~/.config/tracetui/config.toml`, or
  `$TRACETUI_CONFIG`), binding id = keys, e.g. `"trace.next_error" = "x"` or
  `"app.quit" = "ctrl+q"`. The ids are listed in the help screen (`?`) and in README.
A file that cannot be read is reported (a notification) and otherwise ignored: never a crash.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from tracetui.sources.backends.config import config_path


@dataclass
class Remembered:
    theme: str | None = None
    palette: str = "default"
    utc: bool | None = None


def state_path() -> Path:
    env = os.environ.get("TRACETUI_STATE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tracetui" / "state.json"


def load_remembered() -> tuple[Remembered, str | None]:
    """What was remembered, and a one-line problem when the file could not be read."""
    path = state_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Remembered(), None
    except (OSError, ValueError) as e:
        return Remembered(), f"{path}: not read ({type(e).__name__}: {e})"
    if not isinstance(doc, dict):
        return Remembered(), f"{path}: not read (not a JSON object)"
    r = Remembered()
    if isinstance(doc.get("theme"), str):
        r.theme = doc["theme"]
    if isinstance(doc.get("palette"), str):
        r.palette = doc["palette"]
    if isinstance(doc.get("utc"), bool):
        r.utc = doc["utc"]
    return r, None


def save_remembered(r: Remembered) -> str | None:
    """Write the file (atomically); a one-line problem when it could not be written."""
    path = state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(r), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        return f"{path}: not written ({e.strerror or e})"
    return None


def load_keymap(known_ids: set[str]) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` table of the config file ({binding id: keys}) and problems found in it."""
    path = config_path()
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except FileNotFoundError:
        return {}, []
    except (OSError, tomllib.TOMLDecodeError) as e:
        return {}, [f"{path}: [keys] not read ({e})"]
    table = doc.get("keys")
    if table is None:
        return {}, []
    if not isinstance(table, dict):
        return {}, [f"{path}: [keys] must be a table of binding id = \"keys\""]
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f"{path}: [keys] {binding_id}: keys must be a string such as \"ctrl+q\"")
        elif binding_id not in known_ids:
            problems.append(f"{path}: [keys] {binding_id}: no such binding id (the help screen lists them)")
        else:
            keymap[str(binding_id)] = keys.strip()
    return keymap, problems
