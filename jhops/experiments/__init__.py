"""Tracked experiments: launching training functions as trials on workers, and their records."""
