"""The steps of the iceberg pipeline, as functions over the public API (notebooks and ``make demo`` call them)."""
