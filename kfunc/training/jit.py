"""``compile(jit_compile=True)``: the model's computation through ``torch.compile``.

``torch.compile`` reads the model's torch program (its ``torch.fx`` module, see
``print(model.code)``), fuses its operations into a few generated kernels, and
derives the backward pass ahead of time. The first batch waits for that work
(seconds for a small model, a minute or more for a large one); the batches after
it run faster. Training runs the compiled forward (and so its compiled
backward); ``evaluate`` and ``predict`` run it too.

The default is ``jit_compile=False``: in a lesson, compiling would cost more time
than it saves.

Compiling can fail where eager execution works: no C compiler on the machine, a
Python version ``torch.compile`` does not support yet, an operation it cannot
trace. kfunc then warns once for the model, saying why, and carries on eagerly,
with the same results. An error that the eager computation raises too is the
model's own, and is raised as such.
"""

import warnings

import torch


class JitCompileWarning(UserWarning):
    """``jit_compile=True`` could not be honoured; the model runs eagerly."""


class JitCompiler:
    """The compiled functions of one model, and whether compiling has failed for it.

    Args:
        model_name: the model's name, for the warning.
        options: keyword arguments for ``torch.compile`` (``mode=``, ``backend=``).
    """

    def __init__(self, model_name, **options):
        self.model_name = model_name
        self.options = options
        self.failed = None  # the reason, once compiling has failed

    def compile(self, fn):
        """A function that runs ``fn`` compiled, or ``fn`` itself once compiling failed."""
        return _CompiledFunction(self, fn)

    def give_up(self, reason):
        """Run everything eagerly from now on, warning once."""
        if self.failed is None:
            self.failed = reason
            warnings.warn(
                f"jit_compile=True: torch.compile could not compile model {self.model_name!r} "
                f"({reason}). kfunc runs it eagerly instead (same results, no compiled speed-up). "
                "compile(..., jit_compile=False) silences this warning.",
                JitCompileWarning,
                stacklevel=4,
            )


class _CompiledFunction:
    """Calls the compiled version of ``fn``; falls back to ``fn`` if compiling fails."""

    def __init__(self, compiler, fn):
        self.compiler = compiler
        self.eager = fn
        self.compiled = None
        if compiler.failed is None:
            try:
                self.compiled = torch.compile(fn, **compiler.options)
            except Exception as err:  # e.g. a Python version torch.compile does not support
                compiler.give_up(_reason(err))

    def __call__(self, *args):
        if self.compiled is None or self.compiler.failed is not None:
            return self.eager(*args)
        try:
            return self.compiled(*args)
        except Exception as compile_error:
            # Whose fault? If the eager call fails too, the model's: raise its own error.
            result = self.eager(*args)
            self.compiler.give_up(_reason(compile_error))
            return result


def _reason(err):
    """A one-line reason from a compile error (dynamo's messages run over many lines)."""
    lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
