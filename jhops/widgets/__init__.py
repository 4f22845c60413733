"""Notebook views over the jhops API (they render; the domain packages compute)."""
