"""The layers of docs/architecture.md, checked by import-linter (the contracts in pyproject.toml).

One tool replaces the hand-kept lists of "modules that must not import textual" the tests used to
carry: it reads every module, lazy imports inside functions included.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(tree), "NO_COLOR": "1"}
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_code_keeps_its_layers():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "tracetui", tmp_path / "tracetui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


NO_TEXTUAL, NO_RICH, LAYERS = "Nothing below the UI imports Textual", "The model, loaders and analysis import no Rich", "Layers:"


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("model/span.py", "import textual", NO_TEXTUAL),
    ("analysis/self_time.py", "from textual.widget import Widget", NO_TEXTUAL),
    ("loaders/detect.py", "import rich.text", NO_RICH),
    ("model/trace.py", "import tracetui.analysis.stats", LAYERS),
    ("loaders/records.py", "import tracetui.analysis.stats", LAYERS),  # analysis | loaders: independent
    ("render/units.py", "import tracetui.sources.files", LAYERS),
])
def test_a_module_that_breaks_a_layer_fails_the_check(tmp_path, module, line, contract):
    tree = copy_of_the_package(tmp_path)
    path = tree / "tracetui" / module
    path.write_text(path.read_text() + f"\n\ndef _late():\n    {line}\n")  # even a lazy import counts
    run = lint_imports(tree)
    assert run.returncode != 0
    verdicts = [ln for ln in run.stdout.splitlines() if ln.startswith(contract) and (" KEPT" in ln or " BROKEN" in ln)]
    assert len(verdicts) == 1 and " BROKEN" in verdicts[0], run.stdout
    assert run.stdout.count(" BROKEN") == 1  # that contract alone


def test_the_headless_summary_does_not_load_textual():
    # Not a layer rule (the cli sits above the ui) but start-up time: `summary` never pays for Textual.
    code = ("import sys\nfrom tracetui.cli import main\n"
            "try:\n    main(['summary', 'sample_traces/shop.json'], standalone_mode=False)\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stdout + run.stderr
