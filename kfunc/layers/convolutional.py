"""kfunc layers: convolutional (being written)."""

__all__ = []
