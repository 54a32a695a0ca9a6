"""``Lambda``: any function of tensors, used as a layer.

A quick way to compute something that has no weights (a difference, a norm, a slice)
inside a functional graph. Its config names the function, so that a saved model can
rebuild it; a function given as source code is only rebuilt with ``safe_mode=False``.
"""

__all__ = ["Lambda"]

import ast
import importlib
import inspect
import linecache
import sys
import textwrap

from kfunc.engine.keras_tensor import KerasTensor
from kfunc.engine.layer import Layer
from kfunc.engine.structure import flatten

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
        mask: a function ``mask(inputs, input_mask)`` giving the output's mask; by
            default the output has none.
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
        if mask is not None and not callable(mask):
            raise TypeError(
                f"Lambda {self.name!r}: `mask=` takes a function `mask(inputs, mask)` returning the output's "
                f"mask (or None), as in Keras; got {type(mask).__name__}."
            )
        self.mask = mask
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

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if self.mask is not None else None

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
        if self.mask is not None:
            config.update(_function_config(self.mask, "mask", "mask_module"))
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
        if config.get("mask") is not None:
            mask = (config.pop("mask"), config.pop("mask_type"), config.pop("mask_module", None))
            config["mask"] = _load_function(name, *mask, safe_mode)
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
    source = _source(function) if getattr(function, "__name__", "") == "<lambda>" else None
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
    return {key: _source(function), f"{key}_type": "lambda", module_key: module}


def _resolve(module_name, qualname):
    obj = sys.modules.get(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return obj


def _source(function):
    """The source text of a ``def`` (its whole block) or of a lambda (``lambda t: t * 2``); None if lost.

    Python keeps a lambda's file and first line, not its text, and a line may hold
    several lambdas. So the file is parsed, and the lambda kept is the one that
    starts on that line with the same parameters; if several do, the innermost one
    whose body holds the positions of the compiled code (Python 3.11+ records them).
    """
    if getattr(function, "__name__", "") != "<lambda>":
        try:
            return textwrap.dedent(inspect.getsource(function))
        except (OSError, TypeError):  # a built-in, a partial, a function typed at a prompt
            return None
    code = function.__code__
    text = "".join(linecache.getlines(code.co_filename))
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    parameters = list(code.co_varnames[: code.co_argcount])
    found = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno
        and [a.arg for a in node.args.posonlyargs + node.args.args] == parameters
    ]
    if len(found) > 1 and hasattr(code, "co_positions"):
        spots = [(line, col, end_line, end_col) for line, end_line, col, end_col in code.co_positions()
                 if line is not None and col is not None and (line, col) != (end_line, end_col)]
        found = [node for node in found if all(_holds(node.body, *spot) for spot in spots)]
        found = [max(found, key=lambda node: (node.lineno, node.col_offset))] if found else []
    if len(found) != 1:
        return None
    segment = ast.get_source_segment(text, found[0])
    return f"({segment})" if "\n" in segment else segment  # a lambda over several lines needs parentheses


def _holds(node, line, col, end_line, end_col):
    """Whether the source span of ``node`` contains the span from (line, col) to (end_line, end_col)."""
    return (node.lineno, node.col_offset) <= (line, col) and (end_line, end_col) <= (node.end_lineno, node.end_col_offset)


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
