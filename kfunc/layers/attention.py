"""Attention layers: each query step reads a weighted mix of the value steps.

Attention compares every query step with every key step (a *score*), turns each
query's scores into weights that sum to 1 (a softmax over the key steps), and
returns, for each query step, the weighted sum of the value steps. The key is
usually the value itself: "which parts of the source matter for this target step?"

* ``Attention`` (Luong-style, dot product) has no projection: the query and the
  key must have the same width. Called on ``[query, value]`` or ``[query, value, key]``.
* ``MultiHeadAttention`` (:mod:`kfunc.layers.multi_head_attention`, as in the
  Transformer) projects query, key and value into several heads first, attends in
  each, and projects the heads' results back.

Masks say which steps count. A *value mask* ``(batch, Tv)`` hides padded key
steps; a *causal* mask hides the future (query step i sees key steps up to i).
Hidden scores get a large negative number added before the softmax (as tf.keras
does), so their weights are 0.
"""

__all__ = ["Attention"]

import torch
import torch.nn.functional as F

from kfunc.engine.layer import Layer

_SCORE_MODES = ("dot", "concat")


class Attention(Layer):
    """Dot-product attention (Luong et al., 2015): ``softmax(query @ key.T) @ value``.

    Args:
        use_scale: learn a scalar ``scale`` that multiplies the scores (starts at 1).
        score_mode: ``'dot'`` (default): ``query @ key.T``; ``'concat'``: the sum over
            features of ``tanh(query + key)``, for every pair of steps, times a learnt
            scalar ``concat_score_weight``.
        dropout: fraction of the attention weights dropped while training.
        causal: hide the future from each query step (tf.keras 2.x's argument; the
            call's ``use_causal_mask=True`` does the same).

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]``: ``query``
            ``(batch, Tq, dim)``, ``value`` ``(batch, Tv, dim)``, ``key`` (default:
            ``value``) ``(batch, Tv, dim)``.
        mask: ``[query_mask, value_mask]``, booleans ``(batch, Tq)`` and ``(batch, Tv)``:
            hidden value steps get no weight; hidden query steps output zeros.
        return_attention_scores: also return the attention weights ``(batch, Tq, Tv)``
            (after dropout, as tf.keras returns them).
        use_causal_mask: hide the future from each query step.
        training: whether dropout applies.

    Returns:
        ``(batch, Tq, dim)``, and with ``return_attention_scores`` the weights too.

    Example:
        >>> query, value = Input(shape=(4, 8)), Input(shape=(6, 8))
        >>> Attention()([query, value]).shape
        (None, 4, 8)
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, causal=False, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in _SCORE_MODES:
            raise ValueError(f"Attention(score_mode={score_mode!r}): use 'dot' or 'concat'.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"Attention(dropout={dropout!r}): a dropout rate is a fraction in [0, 1).")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.causal = bool(causal)

    def build(self, input_shape):
        _check_inputs(self, input_shape)
        if self.use_scale:
            self.scale = self.add_weight("scale", (), "ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight("concat_score_weight", (), "ones")

    def _check_input_shapes(self, input_shape):
        query, value, key = _check_inputs(self, input_shape)
        if query[-1] != key[-1]:
            raise ValueError(
                f"Attention {self.name!r} compares the query with the key, so their last "
                f"dimensions must match; got query {query} and key {key}. Project one of them "
                "first (e.g. with a Dense layer), or use MultiHeadAttention, which projects both."
            )
        if value[1] != key[1] and None not in (value[1], key[1]):
            raise ValueError(
                f"Attention {self.name!r}: the value and the key must have the same number of "
                f"steps (one value per key); got value {value} and key {key}."
            )

    def call(self, inputs, mask=None, training=None, return_attention_scores=False, use_causal_mask=False):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = (list(mask) + [None, None])[:2] if mask is not None else (None, None)
        training = self.training if training is None else bool(training)
        # 1. a score for every (query step, key step) pair
        scores = self._scores(query, key)
        # 2. hidden key steps and (causal) future steps get a large negative score
        visible = visible_mask(scores, value_mask, self.causal or use_causal_mask)
        weights = F.dropout(masked_softmax(scores, visible), self.dropout, training=training)
        # 3. each query step: the weighted sum of the value steps
        output = weights @ value
        if query_mask is not None:
            output = output * query_mask.unsqueeze(-1).to(output.dtype)
        return (output, weights) if return_attention_scores else output

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = query @ key.transpose(-1, -2)
            return scores * self.scale if self.use_scale else scores
        pairs = query.unsqueeze(-2) + key.unsqueeze(-3)  # (batch, Tq, Tv, dim)
        if self.use_scale:
            pairs = self.scale * pairs
        return self.concat_score_weight * torch.tanh(pairs).sum(-1)

    def get_config(self):
        config = super().get_config()
        config.update(use_scale=self.use_scale, score_mode=self.score_mode, dropout=self.dropout,
                      causal=self.causal)
        return config


def _check_inputs(layer, input_shape):
    """``(query, value, key)`` shapes from ``[query, value]`` or ``[query, value, key]``, checked."""
    if not isinstance(input_shape, list) or len(input_shape) not in (2, 3):
        raise ValueError(
            f"Attention {layer.name!r} is called on a list `[query, value]` or `[query, value, "
            f"key]`; got an input of shape {input_shape}. For self-attention pass the same "
            "tensor twice: `Attention()([x, x])`."
        )
    shapes = list(input_shape) + [input_shape[1]] * (3 - len(input_shape))
    for role, shape in zip(("query", "value", "key"), shapes):
        if not isinstance(shape, tuple) or len(shape) != 3:
            raise ValueError(
                f"Attention {layer.name!r} expects 3D tensors (batch, steps, features); its "
                f"{role} has shape {shape}."
            )
    return shapes


def visible_mask(scores, key_mask=None, causal=False):
    """Which scores count, as booleans that broadcast to ``scores`` ``(..., Tq, Tk)``; None for all.

    ``key_mask`` ``(batch, Tk)`` hides key steps; ``causal`` hides key steps after the
    query step (query step i sees key steps 0 to i).
    """
    visible = None
    if key_mask is not None:
        visible = key_mask.bool().reshape(key_mask.shape[0], *[1] * (scores.dim() - 2), key_mask.shape[-1])
    if causal:
        steps_q, steps_k = scores.shape[-2], scores.shape[-1]
        lower = torch.ones(steps_q, steps_k, dtype=torch.bool, device=scores.device).tril()
        visible = lower if visible is None else visible & lower
    return visible


def masked_softmax(scores, visible, dim=-1):
    """Softmax over ``dim``, where the scores not ``visible`` get a large negative number added.

    Added rather than replaced, as tf.keras does: a query that sees no key at all
    keeps the plain softmax of its scores.
    """
    if visible is not None:
        large = min(1e9, torch.finfo(scores.dtype).max / 2)
        scores = scores - large * (~visible.bool()).to(scores.dtype)
    return torch.softmax(scores, dim=dim)
