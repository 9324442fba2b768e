"""nbgrader configuration of the dl4text course.

The kit's hidden graders replace nbgrader's in-kernel scoring: see docs/grading.md.
Limits: 900 s per cell, 3600 s per notebook, 12 GiB of kernel memory.
"""

from dl4text.nbgrader.config import configure

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
configure(c, course_id="dl4text", timeout=900, notebook_timeout=3600, memory_limit_mb=12288)
