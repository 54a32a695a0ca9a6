"""Core layers: Dense and friends.

``Dense``, ``Activation``, ``Dropout``, ``Flatten``, ``Reshape``, ``Permute`` and
``RepeatVector`` compute or reshape; ``Lambda`` wraps any function of tensors;
``Embedding`` turns word ids into vectors.
"""

__all__ = [
    "Dense",
    "Activation",
    "Dropout",
    "Flatten",
    "Reshape",
    "Permute",
    "RepeatVector",
    "Lambda",
    "Embedding",
]

import ast
import importlib
import inspect
import linecache
import math
import sys
import textwrap
import warnings

import torch
import torch.nn.functional as F

from kfunc import activations, initializers
from kfunc.engine.keras_tensor import KerasTensor, flatten
from kfunc.engine.layer import Layer


class Dense(Layer):
    """A fully connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: the size of the output's last dimension.
        activation: an activation name or function (none by default).
        use_bias: whether to add a bias vector.
        kernel_initializer: how to draw the kernel (``'glorot_uniform'``).
        bias_initializer: how to draw the bias (``'zeros'``).

    The kernel has Keras's layout ``(input_dim, units)``. Applied to an input of
    shape ``(batch, ..., input_dim)`` it returns ``(batch, ..., units)``.

    Example:
        >>> y = Dense(64, activation='relu')(Input(shape=(784,)))
        >>> y.shape
        (None, 64)
    """

    casts_integer_inputs = True  # computes on floats

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense(units={units!r}): `units` must be a positive int, the output size.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        if not isinstance(input_shape, tuple) or input_shape[-1] is None:
            raise ValueError(
                f"Dense {self.name!r} needs an input whose last dimension is known; got shape {input_shape}."
            )
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer)

    def _check_input_shapes(self, input_shape):
        expected = self.kernel.shape[0]
        if isinstance(input_shape, tuple) and input_shape[-1] not in (None, expected):
            raise ValueError(
                f"Dense {self.name!r} expects an input with last dimension {expected}, "
                f"got shape {input_shape}. Its kernel was made for {expected} features on its "
                "first call; use a new Dense layer for inputs of another size."
            )

    def call(self, inputs):
        # The kernel keeps Keras's (inputs, units) layout, so x @ kernel needs no
        # transpose, forward or backward; addmm fuses the bias into the product.
        if inputs.dim() == 2 and self.use_bias:
            return self.activation(torch.addmm(self.bias, inputs, self.kernel))
        out = torch.matmul(inputs, self.kernel)
        return self.activation(out + self.bias if self.use_bias else out)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
        )
        return config


class Activation(Layer):
    """Applies an activation function to its input, element by element.

    Args:
        activation: an activation name (``'relu'``, ``'softmax'``, ...) or a function.

    Example:
        >>> Activation('relu')(Input(shape=(3,))).shape
        (None, 3)
    """

    casts_integer_inputs = True  # computes on floats

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        config = super().get_config()
        config.update(activation=activations.serialize(self.activation))
        return config


class Dropout(Layer):
    """Sets a random fraction ``rate`` of its inputs to 0 while training.

    The values that are kept are scaled by ``1 / (1 - rate)``, so the expected sum
    stays the same; outside training (``evaluate``, ``predict``) the layer passes
    its input through unchanged.

    Args:
        rate: the fraction of values to drop, in ``[0, 1)``.
        noise_shape: the shape of the keep/drop mask, broadcast over the input;
            ``None`` entries take the input's size. ``(None, 1, features)`` drops
            the same features at every time step.
        seed: a seed for this layer's own random generator (the global one by default).

    Example:
        >>> Dropout(0.5)(torch.ones(2, 4), training=True)  # random: about half are 0
        tensor([[2., 0., 2., 2.],
                [0., 2., 0., 2.]])
        >>> Dropout(0.5)(torch.ones(2, 4), training=False)
        tensor([[1., 1., 1., 1.],
                [1., 1., 1., 1.]])
    """

    casts_integer_inputs = True  # computes on floats

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(
                f"Dropout(rate={rate!r}): `rate` is the fraction of values to drop, a number "
                "in [0, 1), e.g. Dropout(0.5)."
            )
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self._generators = {}  # device -> torch.Generator, when a seed is given

    def call(self, inputs, training=None):
        training = self.training if training is None else bool(training)
        if not training or self.rate == 0 or inputs.is_meta:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, training=True)
        shape = self._mask_shape(inputs)
        draws = torch.rand(shape, generator=self._generator(inputs.device), device=inputs.device)
        keep = (draws >= self.rate).to(inputs.dtype)
        return inputs * keep / (1.0 - self.rate)

    def _mask_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        if len(self.noise_shape) != inputs.ndim:
            raise ValueError(
                f"Dropout {self.name!r}: noise_shape={self.noise_shape} has {len(self.noise_shape)} "
                f"entries, but the input has {inputs.ndim} axes (shape {tuple(inputs.shape)}). "
                "Give one entry per axis, None for 'same as the input'."
            )
        return tuple(size if want is None else want for want, size in zip(self.noise_shape, inputs.shape))

    def _generator(self, device):
        if self.seed is None:
            return None
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[device]

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return config


class Flatten(Layer):
    """Flattens each sample to a vector: ``(batch, 4, 4, 8)`` -> ``(batch, 128)``.

    Args:
        data_format: ``'channels_last'`` (default) or ``'channels_first'``. With
            channels-first inputs the values are first put in channels-last order,
            so that a model gives the same vector whichever format it uses.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "Flatten")

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = torch.movedim(inputs, 1, -1)
        if inputs.ndim == 1:
            return inputs.unsqueeze(-1)
        return inputs.reshape(inputs.shape[0], -1)

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format)
        return config


class Reshape(Layer):
    """Gives each sample a new shape with the same number of values.

    Args:
        target_shape: the new shape of one sample (without the batch dimension);
            one size may be ``-1``, meaning "whatever makes the count match".

    Example:
        >>> Reshape((3, 4))(Input(shape=(12,))).shape
        (None, 3, 4)
        >>> Reshape((-1, 2))(Input(shape=(12,))).shape
        (None, 6, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target = tuple(target_shape)
        except TypeError:
            raise TypeError(
                f"Reshape(target_shape={target_shape!r}): `target_shape` must be a tuple such as "
                f"(3, 4), even for one dimension: ({target_shape},)."
            ) from None
        bad = [d for d in target if isinstance(d, bool) or not isinstance(d, int) or (d <= 0 and d != -1)]
        if bad or target.count(-1) > 1:
            raise ValueError(
                f"Reshape(target_shape={target_shape!r}): each size must be a positive int, and at "
                "most one may be -1 (computed from the others)."
            )
        self.target_shape = target

    def _check_input_shapes(self, input_shape):
        sizes = input_shape[1:]
        if None in sizes:
            return
        count = math.prod(sizes)
        known = math.prod(d for d in self.target_shape if d != -1)
        fits = count % known == 0 if -1 in self.target_shape else count == known
        if not fits:
            raise ValueError(
                f"Reshape {self.name!r} cannot turn an input of shape {input_shape} "
                f"({count} values per sample) into shape {self.target_shape} "
                f"({known} values{' times a whole number' if -1 in self.target_shape else ''}). "
                "The target must hold the same number of values; put -1 for one size to "
                "have it computed."
            )

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def get_config(self):
        config = super().get_config()
        config.update(target_shape=self.target_shape)
        return config


class Permute(Layer):
    """Reorders the axes of each sample; axes are numbered from 1 (the batch is 0).

    Args:
        dims: a permutation of ``1, ..., n``: ``(2, 1)`` swaps the two axes of a
            ``(batch, steps, features)`` input.

    Example:
        >>> Permute((2, 1))(Input(shape=(10, 64))).shape
        (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                f"Permute(dims={dims}): `dims` must be a permutation of 1, ..., {len(dims)} "
                "(axes are numbered from 1; the batch axis 0 never moves), e.g. Permute((2, 1))."
            )
        self.dims = dims

    def _check_input_shapes(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(
                f"Permute {self.name!r} with dims={self.dims} reorders {len(self.dims)} axes, but "
                f"its input of shape {input_shape} has {len(input_shape) - 1} besides the batch."
            )

    def call(self, inputs):
        return inputs.permute((0,) + self.dims)

    def get_config(self):
        config = super().get_config()
        config.update(dims=self.dims)
        return config


class RepeatVector(Layer):
    """Repeats each input vector ``n`` times: ``(batch, features)`` -> ``(batch, n, features)``.

    Args:
        n: how many times to repeat.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"RepeatVector(n={n!r}): `n` must be a positive int, the number of copies.")
        self.n = n

    def _check_input_shapes(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"RepeatVector {self.name!r} repeats vectors: it expects an input of shape "
                f"(batch, features), got {input_shape}. Flatten it first if needed."
            )

    def call(self, inputs):
        return inputs.unsqueeze(1).repeat(1, self.n, 1)

    def get_config(self):
        config = super().get_config()
        config.update(n=self.n)
        return config


# ---------------------------------------------------------------------- Lambda

_LAMBDA_ONE_ARGUMENT = """\
Lambda {name!r} calls its function with ONE argument, but {function} needs {count} \
({params}). A Lambda called on several tensors receives them together, as one list:
instead of
    Lambda(lambda x, y: x - y)([a, b])
write
    Lambda(lambda t: t[0] - t[1])([a, b])"""

_LAMBDA_ONE_TENSOR = """\
Lambda {name!r} calls its function with ONE argument, the input tensor, but {function} \
needs {count} ({params}). Give the other values by keyword, e.g.
    Lambda(lambda x, power: x ** power, arguments={{'power': 2}})"""

_LAMBDA_UNSAFE = """\
The config of Lambda {name!r} holds Python code: {code}. Rebuilding the layer \
would run that code, and a saved file can hold any code, so kfunc refuses by default. If you \
trust where the config comes from, pass safe_mode=False:
    Lambda.from_config(config, safe_mode=False)"""

# Functions a config may name without being unsafe: kfunc's own tensor functions.
_SAFE_MODULES = ("kfunc.ops", "kfunc.backend", "kfunc.activations")


class Lambda(Layer):
    """Wraps a function of tensors as a layer, for quick computations without weights.

    Args:
        function: a function of the input. Called on several tensors, the layer
            passes them to the function as ONE list: ``lambda t: t[0] - t[1]``.
        output_shape: the output shape without the batch dimension (or a function
            of the input shape returning the full shape). Needed only when the
            function cannot run on the stand-in ``meta`` tensors kfunc uses to find
            shapes, e.g. because it uses numpy.
        mask: not supported (kfunc does not propagate masks); must be ``None``.
        arguments: a dict of extra keyword arguments for ``function``.

    If the function has a ``training`` parameter, the layer passes the training flag.

    Example:
        >>> from kfunc import backend as K
        >>> a, b = Input(shape=(4,)), Input(shape=(4,))
        >>> Lambda(lambda t: K.square(t[0] - t[1]))([a, b]).shape
        (None, 4)

    A Lambda's config names its function (by module and name) or holds its source
    text; :meth:`from_config` rebuilds it only with ``safe_mode=False``, because
    that runs code from the config.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"Lambda(function={function!r}): the first argument must be a function, e.g. "
                "Lambda(lambda x: x * 2)."
            )
        if mask is not None:
            raise ValueError(
                f"Lambda {self.name!r}: `mask=` is not supported, because kfunc does not "
                "propagate masks between layers. Leave it out."
            )
        self.function = function
        self._output_shape = output_shape
        self.arguments = dict(arguments or {})
        self._required, self._accepts_training = _positional_parameters(function, self.arguments)

    def _check_arity(self, inputs):
        if len(self._required) < 2:
            return
        template = _LAMBDA_ONE_ARGUMENT if isinstance(inputs, (list, tuple)) else _LAMBDA_ONE_TENSOR
        raise TypeError(
            template.format(
                name=self.name,
                function=_describe_function(self.function),
                count=len(self._required),
                params=", ".join(self._required),
            )
        )

    def compute_output_spec(self, inputs, *args, **kwargs):
        self._check_arity(inputs)
        try:
            return super().compute_output_spec(inputs, *args, **kwargs)
        except (TypeError, NotImplementedError, AttributeError, ValueError) as err:
            if self._output_shape is not None:
                return self._declared_output(inputs)
            if isinstance(err, ValueError):
                raise
            raise ValueError(
                f"Lambda {self.name!r} could not run its function on stand-in tensors of shape "
                f"{_shapes(inputs)} to find its output shape: {type(err).__name__}: {err}\n"
                "Write the function with torch operations or `kfunc.backend` functions (not "
                "numpy), or give the shape: Lambda(fn, output_shape=(...))."
            ) from err

    def _declared_output(self, inputs):
        shapes = _shapes(inputs)
        if callable(self._output_shape):
            shape = tuple(self._output_shape(shapes))
        else:
            batch = shapes[0][0] if isinstance(shapes, list) else shapes[0]
            shape = (batch,) + tuple(self._output_shape)
        return KerasTensor(shape, dtype=flatten(inputs)[0].dtype)

    def call(self, inputs, training=None):
        self._check_arity(inputs)
        kwargs = dict(self.arguments)
        if self._accepts_training:
            kwargs["training"] = self.training if training is None else training
        return self.function(inputs, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(_function_config(self.function, "function", "module"))
        if callable(self._output_shape):
            config.update(_function_config(self._output_shape, "output_shape", "output_shape_module"))
        else:
            config.update(
                output_shape=tuple(self._output_shape) if self._output_shape is not None else None,
                output_shape_type="raw",
                output_shape_module=None,
            )
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, safe_mode=True):
        """Rebuild a Lambda from its config.

        Raises:
            ValueError: in safe mode (the default) when the config holds code other
                than kfunc's own functions; and when the code cannot be found.
        """
        config = dict(config)
        name = config.get("name")
        function = _load_function(
            name, config.pop("function"), config.pop("function_type"), config.pop("module", None), safe_mode
        )
        output_shape = config.pop("output_shape", None)
        shape_type = config.pop("output_shape_type", "raw")
        shape_module = config.pop("output_shape_module", None)
        if shape_type != "raw":
            output_shape = _load_function(name, output_shape, shape_type, shape_module, safe_mode)
        return cls(function, output_shape=output_shape, **config)


def _positional_parameters(function, given):
    """The required positional parameters not given by keyword, and whether ``training`` is one."""
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # some built-ins have no signature
        return [], False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [
        p.name for p in params
        if p.kind in positional and p.default is inspect.Parameter.empty and p.name not in given
    ]
    accepts_training = any(p.name == "training" for p in params) and "training" not in given
    return required, accepts_training


def _describe_function(function):
    source = _lambda_source(function) if getattr(function, "__name__", "") == "<lambda>" else None
    return f"`{source}`" if source else f"the function {getattr(function, '__name__', function)!r}"


def _shapes(inputs):
    if isinstance(inputs, (list, tuple)):
        return [tuple(t.shape) for t in inputs]
    return tuple(inputs.shape)


def _function_config(function, key, module_key):
    """``{key: name or source, key_type: 'function' or 'lambda', module_key: module}``.

    A function that its module exposes under its name is stored by name; any other
    (a lambda, a function defined inside a function) by its source text, if Python
    can find it.
    """
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None) or getattr(function, "__name__", None)
    if module and qualname and "<" not in qualname and _resolve(module, qualname) is function:
        return {key: qualname, f"{key}_type": "function", module_key: module}
    return {key: _lambda_source(function), f"{key}_type": "lambda", module_key: module}


def _resolve(module_name, qualname):
    obj = sys.modules.get(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return obj


def _lambda_source(function):
    """The source text of a lambda (just the ``lambda ...: ...`` part) or of a ``def``."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    if function.__name__ != "<lambda>":
        return source
    # getsource gives whole lines; find the lambda among the expressions on them
    candidates = []
    for text in (source, source.strip().rstrip(",;")):
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        segments = [ast.get_source_segment(text, n) for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
        # a lambda spread over lines stays one expression inside parentheses
        candidates = [f"({s})" if "\n" in s else s for s in segments]
        break
    matches = [c for c in candidates if _same_lambda(c, function)]
    if not matches:  # free variables compile differently; fall back on the parameter names
        names = function.__code__.co_varnames[: function.__code__.co_argcount]
        matches = [c for c in candidates if _lambda_parameters(c) == names]
    return matches[0] if len(matches) == 1 else None


def _same_lambda(text, function):
    try:
        code = compile(text, "<lambda>", "eval").co_consts[0]
    except (SyntaxError, IndexError):
        return False
    return getattr(code, "co_code", None) == function.__code__.co_code


def _lambda_parameters(text):
    node = ast.parse(text, mode="eval").body
    return tuple(a.arg for a in node.args.args)


def _load_function(layer_name, value, kind, module, safe_mode):
    """The function a Lambda config describes (see :func:`_function_config`)."""
    if kind == "function" and module in _SAFE_MODULES:
        return getattr(importlib.import_module(module), value)
    if safe_mode:
        if kind == "function":
            code = f"the function {module}.{value}"
        else:
            code = f"the lambda `{value}`" if value else "a function whose source was not found"
        raise ValueError(_LAMBDA_UNSAFE.format(name=layer_name, code=code))
    if value is None:
        raise ValueError(
            f"Lambda {layer_name!r} cannot be rebuilt: Python could not find the source of its "
            "function when the config was made (a lambda typed at an interactive prompt, say). "
            "Make the layer again with the function: Lambda(fn)."
        )
    if kind == "function":
        importlib.import_module(module)
        found = _resolve(module, value)
        if found is None:
            raise ValueError(
                f"Lambda {layer_name!r} cannot be rebuilt: its function {value!r} is not in the "
                f"module {module!r} any more. Define it again, or make the layer with Lambda(fn)."
            )
        return found
    # the code sees the globals of the module it was written in (K, torch, ...)
    namespace = vars(sys.modules[module]) if module in sys.modules else {}
    # register the text as a "file", so that the new function's source can be found again
    filename = f"<Lambda {layer_name} config>"
    linecache.cache[filename] = (len(value), None, value.splitlines(True), filename)
    try:
        expression = compile(value, filename, "eval")
    except SyntaxError:  # a `def`, not a lambda
        expression = None
    if expression is not None:
        return eval(expression, namespace)  # noqa: S307 (allowed by safe_mode=False)
    defined = {}
    exec(compile(value, filename, "exec"), namespace, defined)  # noqa: S102 (allowed by safe_mode=False)
    return next(v for v in defined.values() if callable(v))


# ---------------------------------------------------------------------- Embedding

_EMBEDDING_NEEDS_INPUT_DIM = """\
Embedding(output_dim={output_dim}) needs `input_dim`, the size of the vocabulary: the \
number of different ids, i.e. the largest word id + 1. Each of the input_dim ids gets its own \
vector of output_dim numbers. For a vocabulary of 10000 words write
    Embedding(input_dim=10000, output_dim={output_dim})"""


class Embedding(Layer):
    """Turns integer ids (word indices) into dense vectors: row ``i`` of a table.

    Args:
        input_dim: the size of the vocabulary; ids go from ``0`` to ``input_dim - 1``.
        output_dim: the length of each vector.
        embeddings_initializer: how to draw the table (Keras's ``'uniform'``: uniform
            in [-0.05, 0.05]).
        mask_zero: whether id 0 means "padding". :meth:`compute_mask` then marks the
            other positions; kfunc's layers do not yet skip padded steps.
        input_length: the length of the sequences, when fixed.

    The table ``embeddings`` has shape ``(input_dim, output_dim)``. The ids may have
    any integer dtype, or be floats holding whole numbers (as numpy arrays often
    do). An input ``(batch, length)`` gives ``(batch, length, output_dim)``.

    Raises:
        ValueError: when an id is not a whole number or lies outside ``[0, input_dim)``.

    Example:
        >>> ids = Input(shape=(100,), dtype='int32')
        >>> Embedding(input_dim=10000, output_dim=512)(ids).shape
        (None, 100, 512)
    """

    def __init__(self, input_dim=None, output_dim=None, embeddings_initializer="uniform", mask_zero=False,
                 input_length=None, **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        if input_dim is None:
            raise TypeError(_EMBEDDING_NEEDS_INPUT_DIM.format(output_dim=output_dim))
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Embedding({arg}={value!r}): `{arg}` must be a positive int "
                    "(input_dim: the vocabulary size; output_dim: the vector length)."
                )
        self.input_dim = input_dim
        self.output_dim = output_dim
        if embeddings_initializer == "uniform":  # Keras 2's short name
            embeddings_initializer = initializers.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length
        if self.mask_zero:
            warnings.warn(
                f"Embedding {self.name!r}: mask_zero=True computes a mask "
                "(`layer.compute_mask(ids)`), but kfunc's layers do not skip padded steps: "
                "an LSTM after this layer still reads the zeros.",
                stacklevel=2,
            )

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer
        )

    def _check_input_shapes(self, input_shape):
        length = self.input_length
        if isinstance(length, int) and len(input_shape) > 1 and input_shape[1] not in (None, length):
            raise ValueError(
                f"Embedding {self.name!r} was made with input_length={length}, but is called on "
                f"sequences of shape {input_shape}. Make the Input's length match, or leave "
                "input_length out."
            )

    def call(self, inputs):
        if not inputs.is_meta:
            self._check_ids(inputs)
        if inputs.dtype not in (torch.int32, torch.int64):
            inputs = inputs.long()
        return F.embedding(inputs, self.embeddings)

    def _check_ids(self, ids):
        if ids.numel() == 0:
            return
        if ids.is_floating_point():
            fractional = ~torch.isfinite(ids) | (ids != torch.round(ids))
            if fractional.any():
                value = ids[fractional][0].item()
                raise ValueError(
                    f"Embedding {self.name!r} takes integer ids (word indices), but got the value "
                    f"{value!r}. Pass whole numbers from 0 to {self.input_dim - 1} "
                    f"(input_dim={self.input_dim}), e.g. as an int array."
                )
        low, high = ids.min(), ids.max()
        for value in (low, high):
            if not 0 <= value < self.input_dim:
                value = value.item()
                value = int(value) if float(value).is_integer() else value
                raise ValueError(
                    f"Embedding {self.name!r} got the id {value}, outside [0, {self.input_dim}): "
                    f"its input_dim is {self.input_dim}, so ids go from 0 to {self.input_dim - 1}. "
                    "Make input_dim the vocabulary size (largest id + 1), or check the data."
                )

    def compute_mask(self, inputs, mask=None):
        """``inputs != 0`` when ``mask_zero`` is set, else ``None``."""
        return inputs != 0 if self.mask_zero else None

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim,
            output_dim=self.output_dim,
            embeddings_initializer=initializers.serialize(self.embeddings_initializer),
            mask_zero=self.mask_zero,
            input_length=self.input_length,
        )
        return config


def _data_format(value, layer):
    value = "channels_last" if value is None else value
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{layer}(data_format={value!r}): use 'channels_last' (images (height, width, "
            "channels), the default) or 'channels_first' ((channels, height, width))."
        )
    return value
