"""Tests of the demo (python -m sk_imbalance.demo) and of examples/*.py."""

import py_compile
import re
import runpy
import sys
from pathlib import Path

import pytest

from sk_imbalance import demo

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


def test_demo_prints_three_rows(capsys):
    results = demo.main(["--epochs", "2"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    for name, params in demo.SETTINGS:
        # Columns are separated by two or more spaces; the first is the name.
        row = [line for line in lines if re.split(r"\s{2,}", line)[0] == name]
        assert len(row) == 1, (name, out)
        assert str(params["threshold"]) in row[0]
    for column in ("macro-F1", "micro-F1", "Hamming", "labels/row", "fit s"):
        assert column in out
    assert "true labels/row" in out
    assert "Elisseeff" in out and "NIPS 2001" in out
    # The closing sentence is computed from the numbers in the table.
    tuned = results[-1]
    assert f"macro-F1 {tuned['macro_f1']:.3f} vs" in lines[-2]
    assert [r["name"] for r in results] == [name for name, _ in demo.SETTINGS]
    for r in results:
        assert 0.0 <= r["macro_f1"] <= 1.0 and 0.0 <= r["hamming"] <= 1.0


def test_demo_rejects_bad_epochs():
    with pytest.raises(SystemExit):
        demo.main(["--epochs", "0"])


def test_examples_exist():
    names = {path.name for path in EXAMPLES}
    assert {"quickstart.py", "grid_search_weights.py", "pipeline.py"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_compiles(path, tmp_path):
    py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)


def test_quickstart_runs(capsys, monkeypatch):
    path = next(p for p in EXAMPLES if p.name == "quickstart.py")
    monkeypatch.setattr(sys, "argv", [str(path), "--epochs", "2"])
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert "test macro-F1:" in out
    assert "threshold" in out


def test_importing_the_package_does_not_load_tensorflow():
    """Check the lazy package: a light import leaves Keras and TensorFlow out."""
    import subprocess
    import sys

    code = (
        "import sys, sk_imbalance, sk_imbalance._startup; "
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules; "
        "from sk_imbalance import WeightedMultiLabelClassifier; "
        "assert 'keras' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_demo_as_a_program_prints_no_tensorflow_start_up_lines():
    """Check that `python -m sk_imbalance.demo` keeps stderr free of TF's lines."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "sk_imbalance.demo", "--epochs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert "[3/3]" in done.stdout and "macro-F1" in done.stdout
    assert "I0000" not in done.stderr and "absl" not in done.stderr


def test_quiet_native_stderr_restores_the_stream():
    """Check that the restore function puts descriptor 2 and sys.stderr back."""
    import os
    import sys

    from sk_imbalance._startup import quiet_native_stderr

    before = sys.stderr
    stat_before = os.fstat(2)
    restore = quiet_native_stderr()
    assert os.fstat(2).st_ino != stat_before.st_ino  # now the null device
    restore()
    assert sys.stderr is before
    assert os.fstat(2).st_ino == stat_before.st_ino


@pytest.mark.parametrize("name", ["binary_text.py", "multiclass.py"])
def test_problem_examples_run(name, capsys, monkeypatch):
    """Check the binary-text and multiclass examples end to end, at 2 epochs."""
    path = next(p for p in EXAMPLES if p.name == name)
    monkeypatch.setattr(sys, "argv", [str(path), "--epochs", "2"])
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert "F1" in out
    rows = [line for line in out.splitlines() if re.search(r"\d\.\d{3}\s*$", line)]
    assert len(rows) >= 3, out
