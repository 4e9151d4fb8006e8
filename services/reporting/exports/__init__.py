"""Renderings of a cycle summary: CSV, XLSX, charts (PNG, SVG) and the printable HTML report."""
