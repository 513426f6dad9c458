from waymark.plans.tests.conftest import frozen  # noqa: F401  (the same frozen clock)
