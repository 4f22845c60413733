"""Data sets for jhops's examples: the Statoil/C-CORE ship-vs-iceberg SAR chips, real or synthetic.

Light on import: numpy and pandas only, never TensorFlow.

Example::

    from jhops.datasets import iceberg
    df = iceberg.synthetic_frame(n=200, seed=1)
"""

from __future__ import annotations

from jhops.datasets import iceberg

__all__ = ["iceberg"]
