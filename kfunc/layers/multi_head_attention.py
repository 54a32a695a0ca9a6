"""Multi-head attention (Vaswani et al., 2017): attention in several learnt projections at once.

Each of ``num_heads`` heads projects the query and the key to ``key_dim``
features and the value to ``value_dim``, attends (scaled dot product, see
:mod:`kfunc.layers.attention`), and the heads' results are projected together
back to the query's width. The weights have the layouts of Keras's ``EinsumDense``
kernels, in Keras's order:

=======================  =================================  =========================
weight                   kernel                             bias
=======================  =================================  =========================
query                    ``(query_dim, heads, key_dim)``    ``(heads, key_dim)``
key                      ``(key_dim_in, heads, key_dim)``   ``(heads, key_dim)``
value                    ``(value_dim_in, heads, value_dim)``  ``(heads, value_dim)``
attention_output         ``(heads, value_dim, out)``        ``(out,)``
=======================  =================================  =========================

Inputs may have more than one step axis (an image ``(batch, h, w, dim)``):
``attention_axes`` says which axes are attended over; the others are batch-like.
Attention over several axes is attention over their flattened product, which is
how it is computed here.
"""

__all__ = ["MultiHeadAttention"]

import math

import torch
import torch.nn.functional as F

from kfunc import initializers
from kfunc.engine.layer import Layer
from kfunc.engine.structure import shapes_of
from kfunc.layers.attention import masked_softmax, visible_mask

_TENSORS = ("query", "value", "key")
_NEEDS_A_VALUE = (
    "MultiHeadAttention {name!r} is called on a query and a value, `mha(query, value)`; "
    "for self-attention pass the same tensor twice: `mha(x, x)`."
)


class MultiHeadAttention(Layer):
    """Multi-head attention, called as ``mha(query, value)`` (self-attention: ``mha(x, x)``).

    Args:
        num_heads: the number of attention heads.
        key_dim: the size of each head for the query and the key.
        value_dim: the size of each head for the value (default ``key_dim``).
        dropout: fraction of the attention weights dropped while training.
        use_bias: whether the projections add biases.
        output_shape: the size of the output's last axis (an int, or a tuple for
            several axes); by default the query's last dimension.
        attention_axes: the axes attended over; by default every axis between the
            batch and the features.
        kernel_initializer, bias_initializer: how to draw the projections' weights.

    Call arguments:
        query: ``(batch, Tq, dim)``; value: ``(batch, Tv, dim)``; key: ``(batch, Tv,
            dim)``, by default the value.
        attention_mask: booleans ``(batch, Tq, Tv)``: which key steps each query step
            may attend to.
        return_attention_scores: also return the weights ``(batch, heads, Tq, Tv)``.
        training: whether dropout applies.
        use_causal_mask: hide the future from each query step (a decoder's self-attention).

    Example:
        >>> target, source = Input(shape=(8, 16)), Input(shape=(4, 16))
        >>> out, scores = MultiHeadAttention(2, 2)(target, source, return_attention_scores=True)
        >>> out.shape, scores.shape
        ((None, 8, 16), (None, 2, 8, 4))
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("num_heads", num_heads), ("key_dim", key_dim), ("value_dim", value_dim or key_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"MultiHeadAttention({arg}={value!r}): `{arg}` must be a positive int.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MultiHeadAttention(dropout={dropout!r}): a dropout rate is a fraction in [0, 1).")
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim or key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_shape = (output_shape,) if isinstance(output_shape, int) else output_shape
        self.attention_axes = (attention_axes,) if isinstance(attention_axes, int) else attention_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def __call__(self, *args, **kwargs):
        # Keras code often names the tensors: mha(query=q, value=v). A layer is built
        # from, and checks, its positional arguments, so named ones join them in order.
        args = list(args)
        for position, name in enumerate(_TENSORS):
            if name in kwargs and len(args) == position:
                args.append(kwargs.pop(name))
        if len(args) < 2:
            raise TypeError(_NEEDS_A_VALUE.format(name=self.name))
        return super().__call__(*args, **kwargs)

    def compute_output_spec(self, query, value, key=None, **kwargs):
        # Checked on the symbolic shapes first, so that the error shows them (batch None).
        self._check_widths(query.shape, value.shape, value.shape if key is None else key.shape)
        return super().compute_output_spec(query, value, key, **kwargs)

    def _build_from(self, args):
        # The weights depend on the widths of the query, the value and the key, not on
        # the first argument only.
        try:
            self.build(*[shapes_of(a) for a in args[:3]])
        except Exception:
            self._unbuild()
            raise
        self.built = True

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            raise TypeError(_NEEDS_A_VALUE.format(name=self.name))
        shapes = (query_shape, value_shape, key_shape or value_shape)
        for role, shape in zip(_TENSORS, shapes):
            if not isinstance(shape, tuple) or len(shape) < 3 or shape[-1] is None:
                raise ValueError(
                    f"MultiHeadAttention {self.name!r} expects tensors (batch, steps, ..., features) "
                    f"with known features; its {role} has shape {shape}."
                )
            if len(shape) != len(query_shape):
                raise ValueError(
                    f"MultiHeadAttention {self.name!r}: the query, value and key must have the same "
                    f"rank; got query {query_shape} and {role} {shape}."
                )
        rank = len(query_shape)
        self._axes = _attention_axes(self, self.attention_axes, rank)
        self._other_axes = tuple(a for a in range(1, rank - 1) if a not in self._axes)
        heads, out = self.num_heads, self._output_shape or (query_shape[-1],)
        key_shape = shapes[2]
        for role, shape, size in (("query", query_shape, self.key_dim), ("key", key_shape, self.key_dim),
                                  ("value", value_shape, self.value_dim)):
            self.add_weight(f"{role}_kernel", (shape[-1], heads, size), self.kernel_initializer)
            if self.use_bias:
                self.add_weight(f"{role}_bias", (heads, size), self.bias_initializer)
        self.add_weight("attention_output_kernel", (heads, self.value_dim) + tuple(out), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("attention_output_bias", tuple(out), self.bias_initializer)

    def call(self, query, value, key=None, attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key = value if key is None else key
        self._check_widths(tuple(query.shape), tuple(value.shape), tuple(key.shape))
        training = self.training if training is None else bool(training)
        # 1. project each tensor into the heads: (batch, *steps, heads, size)
        q = self._project(query, "query") * (1.0 / math.sqrt(float(self.key_dim)))
        k, v = self._project(key, "key"), self._project(value, "value")
        # 2. each head's scores, the attended axes flattened: (batch, *other, heads, Tq, Tk)
        (q, q_steps), (k, k_steps), (v, _) = self._to_heads(q), self._to_heads(k), self._to_heads(v)
        scores = q @ k.transpose(-1, -2)
        full_shape = scores.shape[:-2] + q_steps + k_steps  # the attended axes as they are
        visible = self._visible(scores, full_shape, attention_mask, use_causal_mask)
        weights = masked_softmax(scores, visible)
        # 3. each head's weighted sum of the values, back in the query's layout
        attended = F.dropout(weights, self.dropout, training=training) @ v
        attended = self._from_heads(attended, q_steps)
        # 4. the heads' results projected together: (batch, *steps, *output_shape)
        output = torch.tensordot(attended, self.attention_output_kernel, dims=2)
        if self.use_bias:
            output = output + self.attention_output_bias
        return (output, weights.reshape(full_shape)) if return_attention_scores else output

    def _check_widths(self, query_shape, value_shape, key_shape):
        rank = len(self._axes) + len(self._other_axes) + 2
        for role, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            expected = getattr(self, f"{role}_kernel").shape[0]
            if len(shape) != rank or shape[-1] != expected:
                raise ValueError(
                    f"MultiHeadAttention {self.name!r} was built for a {role} of rank {rank} with "
                    f"{expected} features; got shape {shape}. Use a new layer for tensors of another width."
                )

    def _project(self, x, role):
        projected = torch.tensordot(x, getattr(self, f"{role}_kernel"), dims=1)
        return projected + getattr(self, f"{role}_bias") if self.use_bias else projected

    def _to_heads(self, x):
        """``(batch, *steps, heads, size)`` -> ``(batch, *other, heads, attended steps, size)``.

        Also returns the sizes of the attended axes, whose product is ``attended steps``.
        """
        heads_axis = x.dim() - 2
        x = x.permute((0,) + self._other_axes + (heads_axis,) + self._axes + (heads_axis + 1,))
        attended = tuple(x.shape[-1 - len(self._axes):-1])
        return x.reshape(x.shape[:-1 - len(self._axes)] + (math.prod(attended), x.shape[-1])), attended

    def _from_heads(self, x, steps):
        """The inverse of :meth:`_to_heads`, for the query: back to ``(batch, *steps, heads, size)``."""
        x = x.reshape(x.shape[:-2] + steps + x.shape[-1:])
        order = (0,) + self._other_axes + (x.dim() - 2,) + self._axes + (x.dim() - 1,)
        return x.permute(tuple(order.index(axis) for axis in range(x.dim())))

    def _visible(self, scores, full_shape, attention_mask, causal):
        """The attention mask (and causal mask) as booleans shaped like the flattened scores."""
        visible = None
        if attention_mask is not None:
            visible = attention_mask.bool()
            while visible.dim() < len(full_shape):  # no heads axis: the same mask for every head
                visible = visible.unsqueeze(-2 * len(self._axes) - 1)
            visible = visible.expand(full_shape).reshape(scores.shape)
        if causal:
            lower = visible_mask(scores, causal=True)
            visible = lower if visible is None else visible & lower
        return visible

    def get_config(self):
        config = super().get_config()
        config.update(
            num_heads=self.num_heads,
            key_dim=self.key_dim,
            value_dim=self.value_dim,
            dropout=self.dropout,
            use_bias=self.use_bias,
            output_shape=self._output_shape,
            attention_axes=self.attention_axes,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
        )
        return config


def _attention_axes(layer, axes, rank):
    """The attended axes as positive indices, checked: all the step axes by default."""
    if axes is None:
        return tuple(range(1, rank - 1))
    positive = tuple(a + rank if a < 0 else a for a in axes)
    if not positive or any(not 0 < a < rank - 1 for a in positive) or len(set(positive)) != len(positive):
        raise ValueError(
            f"MultiHeadAttention {layer.name!r}: attention_axes={axes!r} must name distinct axes "
            f"between the batch and the features of a rank-{rank} input (1 to {rank - 2})."
        )
    return positive
