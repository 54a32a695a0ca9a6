"""Random tensors of a given shape, as Keras 2's ``K.random_normal`` and ``K.random_uniform``.

The variational autoencoder of Keras's examples draws its noise with
``K.random_normal(shape=(K.shape(z_mean)[0], latent_dim))`` inside a ``Lambda``.
The tensors are made on torch's default device, as ``kfunc.ops.zeros`` is; a
``seed`` makes the draw repeatable without touching torch's global generator.
"""

import torch

from kfunc import config
from kfunc.engine.dtypes import torch_dtype


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of ``shape`` drawn from a normal distribution of ``mean`` and ``stddev``."""
    return _draw(torch.randn, shape, dtype, seed) * stddev + mean


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of ``shape`` drawn uniformly from ``[minval, maxval)``."""
    return _draw(torch.rand, shape, dtype, seed) * (maxval - minval) + minval


def _draw(sample, shape, dtype, seed):
    try:
        shape = tuple(int(d) for d in shape)
    except TypeError:
        raise ValueError(
            f"The shape of a random tensor must be whole numbers, got {shape!r}. For a shape that "
            "depends on the batch, draw inside a Lambda: `K.random_normal(K.shape(x))`."
        ) from None
    dtype = torch_dtype(dtype or config.floatx())
    if seed is None:
        return sample(shape, dtype=dtype)
    generator = torch.Generator().manual_seed(int(seed))
    return sample(shape, dtype=dtype, generator=generator, device="cpu").to(torch.get_default_device())
