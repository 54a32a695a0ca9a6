"""Notebook widgets: the live training tracker, training curves, and the node explorer.

* :class:`LiveTracker` (also ``kfunc.callbacks.LiveTracker``): a callback showing
  a training live (curves, progress, each output's share of the loss, a Stop
  button), then leaving a static snapshot in the notebook (:mod:`.tracker`).
* :func:`plot_history` (``history.plot()``): a finished training's curves as a
  matplotlib figure (:mod:`.curves`).
* :func:`explore`: pick a layer and one of its nodes, see that call's tensors,
  shapes, neighbours, parameters, code line and place in the graph (:mod:`.explorer`).

Nothing here imports ipywidgets, matplotlib or IPython until it is used, so
``import kfunc`` stays light and works without a notebook. :func:`install` makes
``fit`` show the tracker by itself in notebook kernels.
"""

from kfunc.widgets.curves import history_plot, plot_history
from kfunc.widgets.explorer import NodeInfo, NodeReport, explore, node_info
from kfunc.widgets.frontend import choose_mode, kernel_shell
from kfunc.widgets.record import TrainingRecord, loss_breakdown, loss_weights
from kfunc.widgets.tracker import LiveTracker

__all__ = [
    "LiveTracker",
    "NodeInfo",
    "NodeReport",
    "TrainingRecord",
    "choose_mode",
    "explore",
    "history_plot",
    "install",
    "kernel_shell",
    "loss_breakdown",
    "loss_weights",
    "node_info",
    "notebook_progress",
    "plot_history",
]


def install():
    """Have ``fit(verbose=1)`` show a :class:`LiveTracker` when it runs in a notebook kernel.

    It adds a progress hook to :mod:`kfunc.training.progress` (once, however often
    it is called). The hook decides at each ``fit``: in a Jupyter kernel it returns
    a tracker; anywhere else (plain ``python``, a terminal) it returns nothing and
    fit prints its usual text progress bar, without importing ipywidgets.
    ``KFUNC_TRACKER=off`` keeps the text progress bar in notebooks too.
    """
    from kfunc.training import progress

    if notebook_progress not in progress.progress_hooks:
        progress.progress_hooks.append(notebook_progress)


def notebook_progress(verbose, mode):
    """The progress hook: a :class:`LiveTracker` for ``fit(verbose=1)`` in a notebook kernel, else None."""
    from kfunc.widgets.frontend import tracker_disabled

    if mode != "fit" or verbose != 1 or tracker_disabled() or kernel_shell() is None:
        return None
    return LiveTracker()
