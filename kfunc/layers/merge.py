"""kfunc layers: merge (being written)."""

__all__ = []
