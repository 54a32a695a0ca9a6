"""kfunc layers: wrappers (being written)."""

__all__ = []
