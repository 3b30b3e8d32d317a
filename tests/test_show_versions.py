"""Tests of sk_imbalance._utils.show_versions and the package's version."""

from importlib import metadata

import keras

import sk_imbalance
from sk_imbalance._utils.show_versions import versions


def test_version_is_the_installed_distributions():
    """Check __version__ comes from the package metadata (pyproject.toml)."""
    assert sk_imbalance.__version__ == metadata.version("sk_imbalance")


def test_versions_lists_dependencies_backend_and_devices():
    """Check the facts: every dependency's installed version, the backend in
    use with its version and devices."""
    facts = versions()
    for name in ("sk_imbalance", "numpy", "scipy", "scikit-learn", "keras"):
        assert facts["dependencies"][name] == metadata.version(name)
    backend = facts["backend"]
    assert backend["name"] == keras.backend.backend()
    assert backend["version"] == metadata.version(backend["name"])
    assert "CPU" in backend["devices"].upper()
    assert facts["system"]["python"].startswith(
        ".".join(map(str, __import__("sys").version_info[:2]))
    )


def test_show_versions_prints_every_section(capsys):
    """Check the printed report names each section and version."""
    sk_imbalance.show_versions()
    out = capsys.readouterr().out
    for text in (
        "System:",
        "Python dependencies:",
        "Keras backend:",
        f"sk_imbalance: {sk_imbalance.__version__}",
        f"keras: {keras.__version__}",
        f"name: {keras.backend.backend()}",
    ):
        assert text in out
