"""kfunc layers: normalization (being written)."""

__all__ = []
