"""Grading a class (``dl4text autograde``), serial or parallel: one runner, each submission fenced in.

One module per job:

* :mod:`~dl4text.runners.batch`: the runner (the opening check, the plan, the grading, the writes);
* :mod:`~dl4text.runners.executor`: where gradings run: in this process one after another, or on Dask;
* :mod:`~dl4text.runners.task`: what travels to workers and back (picklable bytes only);
* :mod:`~dl4text.runners.pack`: the owner packs the scratch course and each submission;
* :mod:`~dl4text.runners.cluster`: a ``LocalCluster`` of processes or an existing scheduler;
* :mod:`~dl4text.runners.worker`: grades one submission in a scratch course, never raises;
* :mod:`~dl4text.runners.fence` and :mod:`~dl4text.runners.jail`: the bounds around it;
* :mod:`~dl4text.runners.owner`, :mod:`~dl4text.nbgrader.inprocess`, :mod:`~dl4text.runners.replay`:
  the one process that writes the gradebook, with nbgrader in-process and no re-execution;
* :mod:`~dl4text.runners.summary` and :mod:`~dl4text.runners.progress`: the rows, the table, the bar.

Importing this package imports nothing heavy: Dask workers unpickle tasks through it.
"""
