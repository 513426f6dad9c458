"""The kernel's demo steps: tenants, staff and supporters, patients with their histories.

They live here rather than in each app's `demo.py` because they build the
cast every later step relies on; importing this package registers them.
"""

from waymark.demo.steps import organizations, patients

__all__ = ["organizations", "patients"]
