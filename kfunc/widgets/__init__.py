"""Notebook widgets: the live training tracker, training curves, and the node explorer.

* :class:`LiveTracker` (also ``kfunc.callbacks.LiveTracker``): a callback showing
  a training live (curves, progress, each output's share of the loss, a Stop
  button), then leaving a static snapshot in the notebook (:mod:`.tracker`).
* :func:`plot_history` (``history.plot()``): a finished training's curves as a
  matplotlib figure (:mod:`.curves`).
* :func:`explore`: pick a layer and one of its nodes, see that call's tensors,
  shapes, neighbours, parameters, code line and place in the graph (:mod:`.explorer`).

Nothing here imports ipywidgets, matplotlib or IPython until it is used, and
``import kfunc`` imports none of this package: ``kfunc/__init__.py`` names the two
functions that plug in, and each imports it on first use. :func:`notebook_progress`
makes ``fit`` show the tracker by itself in notebook kernels;
:func:`kfunc.widgets.call_sites.node_created` notes the line that made each node.
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
    """Add :func:`notebook_progress` to ``fit``'s progress hooks (once, however often it is called).

    ``import kfunc`` already adds a hook that imports this package at the first ``fit``
    and calls :func:`notebook_progress`; this installs it directly, for a program that
    imports ``kfunc.widgets`` anyway.
    """
    from kfunc.training import progress

    if notebook_progress not in progress.progress_hooks:
        progress.progress_hooks.append(notebook_progress)


def notebook_progress(verbose, mode):
    """fit's progress display: a :class:`LiveTracker` for ``fit(verbose=1)`` in a notebook kernel, else None.

    Anywhere else (plain ``python``, a terminal) it returns nothing and fit prints its
    usual text progress bar, without importing ipywidgets. ``KFUNC_TRACKER=off`` keeps
    the text progress bar in notebooks too.
    """
    from kfunc.widgets.frontend import tracker_disabled

    if mode != "fit" or verbose != 1 or tracker_disabled() or kernel_shell() is None:
        return None
    return LiveTracker()
