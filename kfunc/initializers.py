"""Weight initializers with Keras's names and defaults.

Each initializer is called with a shape in Keras's layout (a Dense kernel is
``(inputs, units)``, a Conv2D kernel ``(kh, kw, in, filters)``) and a torch dtype,
and draws from torch's global random generator, so
:func:`kfunc.utils.set_random_seed` makes weights reproducible.
"""

import math

import torch

from kfunc._errors import unknown_name_error


def _fans(shape):
    """Keras's fan-in and fan-out: the last two axes, times the receptive field."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    """Base class: ``initializer(shape, dtype)`` returns a new torch tensor."""

    def __call__(self, shape, dtype=torch.float32):
        raise NotImplementedError

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    def __call__(self, shape, dtype=torch.float32):
        return torch.zeros(shape, dtype=dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype=torch.float32):
        return torch.ones(shape, dtype=dtype)


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=torch.float32):
        return torch.full(shape, float(self.value), dtype=dtype)

    def get_config(self):
        return {"value": self.value}


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=torch.float32):
        return torch.empty(shape, dtype=dtype).uniform_(self.minval, self.maxval)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=torch.float32):
        return torch.empty(shape, dtype=dtype).normal_(self.mean, self.stddev)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype=torch.float32):
        out = torch.empty(shape, dtype=dtype)
        return torch.nn.init.trunc_normal_(
            out, self.mean, self.stddev, self.mean - 2 * self.stddev, self.mean + 2 * self.stddev
        )


class VarianceScaling(Initializer):
    """Scale-aware random weights: variance ``scale / fan`` (Keras's general rule)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=torch.float32):
        fan_in, fan_out = _fans(tuple(shape))
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        out = torch.empty(shape, dtype=dtype)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return out.uniform_(-limit, limit)
        if self.distribution == "untruncated_normal":
            return out.normal_(0.0, math.sqrt(variance))
        # truncated at two standard deviations; 0.8796... corrects the lost variance
        stddev = math.sqrt(variance) / 0.87962566103423978
        return torch.nn.init.trunc_normal_(out, 0.0, stddev, -2 * stddev, 2 * stddev)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class Orthogonal(Initializer):
    """A random orthogonal matrix (rows or columns orthonormal), times ``gain``."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=torch.float32):
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = torch.randn(max(rows, cols), min(rows, cols), dtype=torch.float32)
        q, r = torch.linalg.qr(flat)
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).to(dtype)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=torch.float32):
        return self.gain * torch.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


_INITIALIZERS = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_uniform": RandomUniform,
    "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal,
    "identity": Identity,
}
_BY_CLASS_NAME = {cls.__name__: cls for cls in _INITIALIZERS.values()}
_INITIALIZERS.update(uniform=RandomUniform, normal=RandomNormal)  # tf.keras 2's short names


def get(identifier):
    """An initializer from a Keras name, a class name, a config dict or a callable.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Initializer) or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, dict):
        cls = _BY_CLASS_NAME.get(identifier.get("class_name"))
        if cls is None:
            raise unknown_name_error("initializer", identifier.get("class_name"), _BY_CLASS_NAME)
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        cls = _INITIALIZERS.get(identifier) or _BY_CLASS_NAME.get(identifier)
        if cls is not None:
            return cls()
    raise unknown_name_error("initializer", identifier, _INITIALIZERS)


def serialize(initializer):
    """A config dict ``{'class_name': ..., 'config': ...}`` for ``get_config``."""
    if isinstance(initializer, Initializer):
        return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
    return getattr(initializer, "__name__", repr(initializer))


# lowercase aliases, as Keras offers them
zeros, ones, constant = Zeros, Ones, Constant
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal
orthogonal, random_uniform, random_normal = Orthogonal, RandomUniform, RandomNormal
