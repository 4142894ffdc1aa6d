import os
import sys
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ.setdefault("TZ", "UTC")
sys.path.insert(0, str(Path(__file__).parent))  # conftest (ROOT, FIXTURES, SAMPLES) and bench
sys.path.insert(0, str(Path(__file__).parent / "support"))  # the shared helpers: builders, loading, ...

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = ROOT / "sample_traces"

import pytest  # noqa: E402
from backend_fixtures import drip, serve  # noqa: E402,F401  (fixtures: fake backend servers on loopback)


@pytest.fixture(autouse=True)
def _own_settings(tmp_path_factory, monkeypatch):
    """No test reads or writes the user's remembered choices or config file (ui/settings.py)."""
    home = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("TRACETUI_STATE", str(home / "state.json"))
    if "TRACETUI_CONFIG" not in os.environ:
        monkeypatch.setenv("TRACETUI_CONFIG", str(home / "config.toml"))
