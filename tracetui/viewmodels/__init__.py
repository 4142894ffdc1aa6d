"""View models: what a screen shows, computed without Textual (rows, columns, cursor and zoom state).

Between render and ui in the layers (docs/architecture.md): built from the model and analysis,
read by the widgets, testable headless.
"""
