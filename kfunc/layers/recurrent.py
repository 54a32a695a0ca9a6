"""kfunc layers: recurrent (being written)."""

__all__ = []
