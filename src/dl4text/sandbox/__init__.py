"""The sandbox around a student's kernel (bubblewrap), on every grading path.

* :mod:`~dl4text.sandbox.bwrap`: the ``bwrap`` command line, and whether this machine can run it;
* :mod:`~dl4text.sandbox.kernel`: a Jupyter kernel manager that starts the kernel inside it;
* :mod:`~dl4text.sandbox.uids`: the user ids lent to sandboxes when grading runs as root.

What crosses the boundary, and why it is safe, is written down in
``docs/malicious-submissions.md``.
"""
