"""kfunc layers: pooling (being written)."""

__all__ = []
