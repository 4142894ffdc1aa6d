"""tracetui: a terminal explorer for distributed traces."""

__version__ = "0.1.0"
