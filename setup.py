"""The compiled helper, the one thing pyproject.toml cannot declare without an experimental table.

Optional: an install without a C compiler or Python's headers still succeeds, and the Python loops
it replaces run instead (docs/architecture.md, "The compiled helper")."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("tracetui.model._speedups", ["tracetui/model/_speedups.c"], optional=True)])
