"""``Sequence``: training data made batch by batch by your own code.

Arrays that fit in memory go to ``fit`` as they are. When the data does not fit,
or each batch is made on the fly (images read from disk, augmented samples), Keras 2
programs subclass ``keras.utils.Sequence``: ``seq[i]`` makes batch ``i`` and
``len(seq)`` says how many batches one pass over the data has. ``fit``, ``evaluate``
and ``predict`` take such an object in place of ``x`` (see
:mod:`kfunc.training.batch_source`), and ``fit`` calls ``on_epoch_end`` after every
epoch, where a subclass may reshuffle its samples.

Unlike a generator, a ``Sequence`` can be asked for any batch, in any order: ``fit``
visits the batches in a new random order each epoch (``shuffle=True``).
"""


class Sequence:
    """Base class of data that comes in batches: override ``__getitem__`` and ``__len__``.

    Args:
        workers, use_multiprocessing, max_queue_size: Keras 3's settings for loading
            batches in parallel; accepted so that Keras 3 code runs, and unused:
            kfunc makes the batches one after another, in the training process.

    Example:
        >>> class Batches(kfunc.utils.Sequence):
        ...     def __init__(self, x, y, batch_size):
        ...         self.x, self.y, self.batch_size = x, y, batch_size
        ...     def __len__(self):
        ...         return math.ceil(len(self.x) / self.batch_size)
        ...     def __getitem__(self, index):
        ...         part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        ...         return self.x[part], self.y[part]
        >>> model.fit(Batches(x, y, 32), epochs=5)
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        pass

    def __getitem__(self, index):
        """Batch number ``index``: ``(x, y)``, ``(x, y, sample_weight)``, or ``x`` for predict."""
        raise NotImplementedError(
            f"{type(self).__name__} is a Sequence without __getitem__: define "
            "__getitem__(self, index) to return batch number `index` as (x, y)."
        )

    def __len__(self):
        """The number of batches in one pass over the data."""
        raise NotImplementedError(
            f"{type(self).__name__} is a Sequence without __len__: define __len__(self) to return "
            "the number of batches, e.g. math.ceil(len(self.x) / self.batch_size)."
        )

    def on_epoch_end(self):
        """Called by ``fit`` after each epoch (and after each pass of evaluate or predict)."""

    def __iter__(self):
        """The batches in order, once."""
        for index in range(len(self)):
            yield self[index]


# Keras 3's name for the same base class.
PyDataset = Sequence

