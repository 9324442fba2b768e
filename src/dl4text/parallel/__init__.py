"""Grading a class (``dl4text autograde``), serial or parallel: one runner, each submission fenced in.

One module per job:

* :mod:`~dl4text.parallel.batch`: the runner (the opening check, the plan, the grading, the writes);
* :mod:`~dl4text.parallel.executor`: where gradings run: in this process one after another, or on Dask;
* :mod:`~dl4text.parallel.task`: what travels to workers and back (picklable bytes only);
* :mod:`~dl4text.parallel.pack`: the owner packs the scratch course and each submission;
* :mod:`~dl4text.parallel.cluster`: a ``LocalCluster`` of processes or an existing scheduler;
* :mod:`~dl4text.parallel.worker`: grades one submission in a scratch course, never raises;
* :mod:`~dl4text.parallel.fence` and :mod:`~dl4text.parallel.jail`: the bounds around it;
* :mod:`~dl4text.parallel.owner`, :mod:`~dl4text.parallel.inprocess`, :mod:`~dl4text.parallel.replay`:
  the one process that writes the gradebook, with nbgrader in-process and no re-execution;
* :mod:`~dl4text.parallel.summary` and :mod:`~dl4text.parallel.progress`: the rows, the table, the bar.

Importing this package imports nothing heavy: Dask workers unpickle tasks through it.
"""
