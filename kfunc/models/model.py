"""``kfunc.Model``: a functional model that can also be trained and saved.

The graph, the calling and the node bookkeeping come from
:class:`~kfunc.engine.functional.Functional`; ``compile``, ``fit``, ``evaluate``
and ``predict`` from :class:`~kfunc.training.trainer.Trainer`; what changes for a
subclass that writes its own ``call`` from :class:`~kfunc.models.subclassing.Subclassing`;
the deprecated ``fit_generator`` and its siblings from
:class:`~kfunc.models.generator_methods.GeneratorMethods`.
Here: what a user asks of a model as a whole (``get_layer``, ``summary``,
``get_config``) and saving, through the functions of :mod:`kfunc.models.saving`.
"""

from kfunc._errors import did_you_mean
from kfunc.engine.functional import Functional
from kfunc.engine.keras_tensor import is_symbolic
from kfunc.engine.structure import map_structure
from kfunc.layers.regularization import AddLoss, AddMetric
from kfunc.models import saving
from kfunc.models.generator_methods import GeneratorMethods
from kfunc.models.subclassing import Subclassing, cannot_serialize_error
from kfunc.training import distributed
from kfunc.training.trainer import Trainer


class Model(Subclassing, GeneratorMethods, Trainer, Functional):
    """A model: the layers that lead from ``inputs`` to ``outputs``, ready to train.

    Args:
        inputs: an ``Input`` tensor, or a list or dict of them.
        outputs: the tensor(s) computed from them, or a list or dict of them.
        name: the model's name (``model``, ``model_1``, ... by default).

    Example:
        >>> inputs = Input(shape=(784,))
        >>> x = Dense(64, activation='relu')(inputs)
        >>> outputs = Dense(10, activation='softmax')(x)
        >>> model = Model(inputs=inputs, outputs=outputs)
        >>> model.count_params()
        50890

    A subclass may instead set its layers as attributes in ``__init__`` (after
    ``super().__init__()``) and compute in ``call(self, inputs, training=None)``; it
    compiles, fits, evaluates, predicts and saves its weights the same way (see
    :mod:`kfunc.models.subclassing`). Node semantics (``get_output_at``, the graph,
    ``model.code``) are those of a functional model's graph: the layers a subclassed
    model calls inside ``call`` record no node, and it has no graph to save or draw.
    """

    def get_layer(self, name=None, index=None):
        """A layer of the model by ``name`` or by position ``index`` in ``model.layers``.

        Raises:
            ValueError: for an unknown name or an index out of range.
        """
        if (name is None) == (index is None):
            raise ValueError("get_layer takes either `name=` or `index=`, exactly one of them.")
        if index is not None:
            if not -len(self._layers) <= index < len(self._layers):
                raise ValueError(
                    f"get_layer(index={index}): model {self.name!r} has only "
                    f"{len(self._layers)} layers (indices 0 to {len(self._layers) - 1})."
                )
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        names = [l.name for l in self._layers]
        raise ValueError(f"No such layer: {name!r}.{did_you_mean(name, names)} The model's layers are: {names}.")

    def _add_symbolic_loss(self, tensor):
        """``model.add_loss(tensor)``, ``tensor`` computed from the model's inputs (the VAE pattern).

        An ``AddLoss`` layer joins the graph: every forward pass computes the tensor
        and adds it to the loss, while the model's outputs stay as they were.
        """
        if not is_symbolic(tensor):
            return super()._add_symbolic_loss(tensor)
        self._add_hidden_outputs([AddLoss()(tensor)])

    def _add_symbolic_metric(self, tensor, name, aggregation):
        """``model.add_metric(tensor, name=...)``: an ``AddMetric`` layer joins the graph (as for add_loss)."""
        if not is_symbolic(tensor):
            return super()._add_symbolic_metric(tensor, name, aggregation)
        self._add_hidden_outputs([AddMetric(name, aggregation)(tensor)])

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Print the table of layers, shapes, parameter counts and connections (:func:`kfunc.display.print_summary`)."""
        from kfunc.display import print_summary

        print_summary(self, line_length, positions, print_fn, expand_nested, show_trainable)

    def get_config(self):
        """The architecture as plain data: layers, with the nodes that connect them.

        A tensor is written ``[layer name, node index, tensor index]``; inside a node's
        arguments, ``{'__tensor__': [...]}``.
        """
        if self._subclassed:
            raise cannot_serialize_error(self, "get_config()")
        ref = lambda t: [t._keras_history.layer.name, *t._keras_history[1:]]  # noqa: E731
        tagged = lambda v: {"__tensor__": ref(v)} if is_symbolic(v) else v  # noqa: E731
        layers = [
            {
                "class_name": type(layer).__name__,
                "name": layer.name,
                "config": layer.get_config(),
                "inbound_nodes": [
                    {"args": map_structure(tagged, list(n.call_args)), "kwargs": map_structure(tagged, n.call_kwargs)}
                    for n in layer._inbound_nodes
                    if id(n) in self._network_nodes and not n.is_input
                ],
            }
            for layer in self._layers
        ]
        config = {
            "name": self.name,
            "layers": layers,
            "input_layers": map_structure(ref, self._input_structure),
            "output_layers": map_structure(ref, self._output_structure),
        }
        if self._hidden_outputs:  # the AddLoss and AddMetric layers' tensors (model.add_loss)
            config["hidden_output_layers"] = [ref(t) for t in self._hidden_outputs]
        return config

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        """Save the architecture, the weights and the compile settings in one file.

        ``kfunc.models.load_model(filepath)`` makes the model again. Under torchrun,
        process 0 writes the file.
        """
        if self._subclassed:
            raise cannot_serialize_error(self, "save()")
        if distributed.is_chief():
            saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Save the weights (only) to exactly ``filepath`` (under torchrun, from process 0)."""
        if distributed.is_chief():
            saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Load weights saved by ``save_weights`` (or ``save``); refuses other architectures."""
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The model (without weights) that ``model.get_config()`` describes."""
        return saving.rebuild_model(cls, config, custom_objects)

    def to_json(self, **kwargs):
        """The architecture as JSON text (``kfunc.models.saving.model_from_json`` reads it)."""
        return saving.model_to_json(self, **kwargs)
