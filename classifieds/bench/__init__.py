"""Benchmarks, one module per measured path, each runnable as ``python -m classifieds.bench.<name>``.

- ``search``: the results page at scale (docs/search-benchmark.md);
- ``alerts``: a saved-search alert run (docs/alerts-benchmark.md);
- ``photos``: the photo pipeline on a camera-sized JPEG (docs/photo-benchmark.md).

They sit at the top of the layer order (they drive every app) and nothing imports them.
"""
