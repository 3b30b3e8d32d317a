"""Tests of the demo (python -m sk_imbalance.demo) and of examples/*.py."""

import ast
import importlib.util
import pickle
import py_compile
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from sk_imbalance import demo

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


def test_demo_prints_one_row_per_setting(capsys):
    results = demo.main(["--epochs", "2"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    for name, params in demo.SETTINGS:
        # Columns are separated by two or more spaces; the first is the name.
        row = [line for line in lines if re.split(r"\s{2,}", line)[0] == name]
        assert len(row) == 1, (name, out)
        assert str(params.get("threshold", "tuned")) in row[0]
    for column in ("macro-F1", "micro-F1", "Hamming", "labels/row", "fit s"):
        assert column in out
    assert "true labels/row" in out
    assert "Elisseeff" in out and "NIPS 2001" in out
    # The closing sentence is computed from the numbers in the table.
    tuned, defaults = results[2], results[3]
    assert f"macro-F1 {tuned['macro_f1']:.3f} vs" in lines[-2]
    assert f"chose {defaults['network']}: macro-F1" in lines[-2]
    for part in defaults["network"].split(" + "):  # e.g. "mlp 0.6 + wide 0.4"
        assert part.split(" ")[0] in demo.CANDIDATES
    assert [r["name"] for r in results] == [name for name, _ in demo.SETTINGS]
    for r in results:
        assert 0.0 <= r["macro_f1"] <= 1.0 and 0.0 <= r["hamming"] <= 1.0


def test_demo_rejects_bad_epochs():
    with pytest.raises(SystemExit):
        demo.main(["--epochs", "0"])


def test_examples_exist():
    names = {path.name for path in EXAMPLES}
    assert {"quickstart.py", "grid_search_weights.py", "pipeline.py"} <= names
    assert {"text_pipeline.py", "text_cnn.py"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_compiles(path, tmp_path):
    py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)


def test_quickstart_runs(capsys, monkeypatch):
    """Check the quick start end to end, at 2 epochs, as a script."""
    module = _run_example("quickstart.py", ["--epochs", "2"], monkeypatch)
    out = capsys.readouterr().out
    assert "test macro-F1:" in out
    assert "threshold" in out
    assert 0.0 <= module.macro <= 1.0


def test_importing_the_package_does_not_load_tensorflow():
    """Check the lazy package: a light import leaves Keras and TensorFlow out."""
    import subprocess
    import sys

    code = (
        "import sys, sk_imbalance, sk_imbalance._utils.startup; "
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
    assert "[4/4]" in done.stdout and "macro-F1" in done.stdout
    assert "I0000" not in done.stderr and "absl" not in done.stderr


def test_quiet_native_stderr_restores_the_stream():
    """Check that the restore function puts descriptor 2 and sys.stderr back."""
    import os
    import sys

    from sk_imbalance._utils.startup import quiet_native_stderr

    before = sys.stderr
    stat_before = os.fstat(2)
    restore = quiet_native_stderr()
    assert os.fstat(2).st_ino != stat_before.st_ino  # now the null device
    restore()
    assert sys.stderr is before
    assert os.fstat(2).st_ino == stat_before.st_ino


@pytest.mark.parametrize(
    "name, argv",
    [
        ("binary_text.py", ["--epochs", "2", "--n-train", "2000"]),
        ("multiclass.py", ["--epochs", "2"]),
    ],
)
def test_problem_examples_run(name, argv, capsys, monkeypatch):
    """Check the binary-text and multiclass examples end to end, at 2 epochs."""
    _run_example(name, argv, monkeypatch)
    out = capsys.readouterr().out
    assert "F1" in out
    rows = [line for line in out.splitlines() if re.search(r"\d\.\d{3}\s*$", line)]
    assert len(rows) >= 3, out


def _run_example(name, argv, monkeypatch):
    """Run an example as a script with ``argv``; return it as a module.

    The module is registered under its own name, so that the classes it
    defines pickle; matplotlib draws off screen (``plt.show`` returns at
    once), and the figures are closed afterwards.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = next(p for p in EXAMPLES if p.name == name)
    module_name = f"example_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)
    monkeypatch.setattr(sys, "argv", [str(path), *argv])
    try:
        spec.loader.exec_module(module)
    finally:
        plt.close("all")
    return module


def _printed_row(out, name):
    """The numbers printed on the table row that starts with ``name``."""
    rows = [line for line in out.splitlines() if line.startswith(name)]
    assert len(rows) == 1, out
    return [float(value) for value in rows[0][len(name) :].split()]


def test_text_pipeline_example_runs(capsys, monkeypatch):
    """Check the raw-text route end to end: TF-IDF's CSR reaches the sparse path."""
    argv = ["--epochs", "2", "--n-train", "2000"]
    module = _run_example("text_pipeline.py", argv, monkeypatch)
    results = module.results
    out = capsys.readouterr().out
    assert "2000 training texts" in out and "3000 test texts" in out
    assert set(results) == {
        "TF-IDF + WeightedMultiLabelClassifier",
        "TF-IDF + LinearSVC(balanced)",
    }
    for name, result in results.items():
        f1, precision, recall, seconds = _printed_row(out, name)
        assert 0.0 <= f1 <= 1.0 and 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0
        assert f1 == pytest.approx(result["f1"], abs=5e-4) and seconds >= 0.0
        assert result["f1"] > 0.3  # far above chance (0) even at 2 epochs
    pipeline = results["TF-IDF + WeightedMultiLabelClassifier"]["pipeline"]
    clf = pipeline[-1]
    # TF-IDF's CSR matrix reached the estimator; "auto" chose the layer by
    # density (this 500-word slice is about 4.5% non-zero: the dense layer)
    texts = pipeline[0].transform(module.load_tmc2007_binary("test", as_text=True).data)
    density = texts.nnz / (texts.shape[0] * texts.shape[1])
    assert clf.sparse_layer_ == (density <= 0.015)
    assert clf.model_.input[0].name.startswith("entry_ids") == clf.sparse_layer_
    assert f"(sparse_layer_): {clf.sparse_layer_}" in out
    assert clf.n_features_in_ == len(pipeline[0].vocabulary_)


@pytest.fixture(scope="module")
def text_cnn_run():
    """The text CNN example run once, at 1 epoch on 1,000 texts: module, output."""
    import contextlib
    import io

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch:
        with contextlib.redirect_stdout(out):
            argv = ["--epochs", "1", "--n-train", "1000"]
            module = _run_example("text_cnn.py", argv, monkeypatch)
        yield module, out.getvalue()


def test_text_cnn_example_runs(text_cnn_run):
    """Check the text CNN end to end, and that the fitted pipeline pickles.

    Pickling rebuilds the network in Keras's safe mode, which refuses Lambda
    layers: the build function must use built-in (or registered) layers.
    """
    module, out = text_cnn_run
    assert "1000 training texts" in out
    f1, precision, recall, seconds = _printed_row(out, "TokenIds + text CNN")
    assert 0.0 <= f1 <= 1.0 and 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0
    assert f1 == pytest.approx(module.f1, abs=5e-4) and seconds >= 0.0
    pipeline = module.model
    heads = [layer for layer in pipeline[-1].model_.layers if layer.name == "head_0"]
    assert len(heads) == 1 and heads[0].get_layer("conv_5").kernel_size == (5,)

    texts = ["gps grass unknownword", ""]
    restored = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_array_equal(
        restored.predict_proba(texts), pipeline.predict_proba(texts)
    )


def test_text_cnn_token_ids(text_cnn_run):
    """Check TokenIds: most frequent words first, 1 for unseen, 0 padding, float32."""
    module, _ = text_cnn_run
    ids = module.TokenIds(max_len=4, max_tokens=4).fit(["b a a", "c"])
    assert ids.vocabulary_ == {"a": 2, "b": 3}  # c is cut by max_tokens
    X = ids.transform(["a b c d e", "", "b"])
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X, [[2, 3, 1, 1], [0, 0, 0, 0], [3, 0, 0, 0]])


def _gallery_config():
    """docs/_gallery.py, the gallery's order and smoke-run command lines."""
    path = Path(__file__).resolve().parents[1] / "docs" / "_gallery.py"
    spec = importlib.util.spec_from_file_location("docs_gallery", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_orders_every_example_quick_start_first():
    """Check that the gallery's explicit order names each example once."""
    gallery = _gallery_config()
    assert sorted(gallery.ORDER) == sorted(path.name for path in EXAMPLES)
    assert gallery.ORDER[0] == "quickstart.py"
    key = gallery.ExampleOrder("examples")
    assert sorted((str(p) for p in EXAMPLES), key=key)[0].endswith("quickstart.py")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_page_says_whether_it_is_a_smoke_run(path):
    """Check that a page the gallery builds as a smoke run says so, with its options.

    The gallery runs the examples in ``SMOKE_ARGV`` with those options; their
    docstrings (the top of the page) must name them. The others run with
    their defaults and must not call themselves smoke runs.
    """
    gallery = _gallery_config()
    docstring = " ".join(ast.get_docstring(ast.parse(path.read_text())).split())
    argv = gallery.example_argv({}, {"src_file": str(path)})
    if path.name in gallery.SMOKE_ARGV:
        assert argv and "smoke run" in docstring
        assert f"``{' '.join(argv)}``" in docstring
    else:
        assert argv == [] and "smoke run" not in docstring


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_imports_public_names_only(path):
    """Check that an example imports no private module and silences no lint."""
    source = path.read_text()
    assert "noqa" not in source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "sk_imbalance":
                assert not any(part.startswith("_") for part in parts), name
