"""``dl4text bench``: what the kit costs, each figure measured against a baseline in the same run.

One module per measured area (:mod:`~dl4text.bench.data`, :mod:`~dl4text.bench.vectorize`,
:mod:`~dl4text.bench.training`, :mod:`~dl4text.bench.grading`, :mod:`~dl4text.bench.parallel`),
the rows and tables in :mod:`~dl4text.bench.report`, the run as a whole in
:mod:`~dl4text.bench.suite`. Every measurement that needs a fresh process runs in a child
(:mod:`~dl4text.bench.child`) that reports JSON. Nothing here asserts a speed: these are
benchmarks, not timed tests.
"""
