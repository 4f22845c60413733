"""What can go wrong in the feature store, as exceptions a caller (or the REST layer) can tell apart."""

from __future__ import annotations

from typing import Any


class FeatureStoreError(ValueError):
    """Bad input to the feature store: the message says what was wrong and what would be right."""


class NotFoundError(FeatureStoreError, LookupError):
    """A feature group, training dataset, version or commit that does not exist."""


class SchemaMismatchError(FeatureStoreError):
    """Data whose columns or types do not match the feature group's schema."""


class ValidationFailedError(FeatureStoreError):
    """An insert rejected under the STRICT policy; nothing was written. ``report`` says which rules failed."""

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


class EmptyInsertWarning(UserWarning):
    """An insert whose data has no rows: nothing was written. Silence it with
    ``warnings.simplefilter("ignore", EmptyInsertWarning)`` where empty batches are expected."""
