"""Rendering for the headless commands and the views: Rich tables, JSON, cleaned text, units."""
