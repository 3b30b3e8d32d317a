"""Helpers every layer may use: random generators, quiet start-up, versions.

- :mod:`.rng`: a NumPy generator from ``random_state``;
- :mod:`.startup`: TensorFlow's native start-up messages silenced;
- :mod:`.show_versions`: the versions a bug report needs.
"""
