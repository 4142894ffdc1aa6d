"""CI tests the newest and the oldest versions pyproject.toml allows (.ci/run): a fresh install
once got msgspec 0.23 and the README's test command failed, unseen by a CI that had older ones."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_dependency_is_pinned_to_its_lower_bound_for_the_oldest_run():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    run = subprocess.run([sys.executable, str(ROOT / ".ci" / "lower_bounds.py"), "test"], capture_output=True,
                         text=True, timeout=60, check=True)
    pins = dict(line.split("==") for line in run.stdout.split())
    for requirement in wanted:
        name, low = re.match(r"([A-Za-z0-9._-]+)\s*(?:==|>=|~=)\s*([^,;\s]+)", requirement).groups()
        assert pins.get(name) == low, f"{requirement}: every dependency needs a lower bound CI can test"


def test_ci_runs_the_tests_on_the_newest_and_on_the_oldest_versions():
    script = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q --upgrade --upgrade-strategy eager -e '.[test]'" in script
    assert "lower_bounds.py test > .venv-oldest/constraints.txt" in script
    assert "-c .venv-oldest/constraints.txt -e '.[test]'" in script
    assert script.count("python -m pytest") == 2 and "lint-imports" in script
