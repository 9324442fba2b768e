"""Everything of the kit that faces nbgrader, one job per module.

* :mod:`~dl4text.nbgrader.cli`: nbgrader's commands in a subprocess (with the environment's
  scripts on PATH, for alembic);
* :mod:`~dl4text.nbgrader.inprocess`: nbgrader's converters in this process;
* :mod:`~dl4text.nbgrader.config`: a course's ``nbgrader_config.py`` (the grading engine in
  place of ``Execute``);
* :mod:`~dl4text.nbgrader.gradebook`: reading grades (the runners' owner is the one writer);
* :mod:`~dl4text.nbgrader.submitted`: the class's ``submitted/`` folder, read without
  following links;
* :mod:`~dl4text.nbgrader.release` and :mod:`~dl4text.nbgrader.leakscan`: the student release;
* :mod:`~dl4text.nbgrader.feedback`, :mod:`~dl4text.nbgrader.export`: feedback HTML, grades CSV.
"""
