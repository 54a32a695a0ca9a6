"""How a click on the Stop button reaches a kernel that is busy training.

A notebook kernel runs one cell at a time: while ``fit`` runs, messages from the
browser (a widget's button click among them) wait in a queue until the cell ends,
which for a Stop button is too late. ipykernel 7 receives every message on a thread
of its own (the *shell channel thread*) that looks at each widget message to decide
where it goes, by asking the widget's comm. :func:`hear_clicks_while_busy` gives the
Stop button's comm a hook there, so the click is seen on that thread at once; the
training loop, which checks ``model.stop_training`` after each batch, does the rest.

On older kernels (no shell channel thread) the hook cannot be placed and the button
works only between cells; :func:`hear_clicks_while_busy` returns False so that the
tracker can say so (Ctrl-C / the kernel's interrupt still stops ``fit`` after the
current batch, with an exception).
"""


def hear_clicks_while_busy(button, on_click):
    """Call ``on_click()`` (on the kernel's message thread) as soon as ``button`` is clicked.

    Args:
        button: an ``ipywidgets.Button`` that is displayed in a live kernel.
        on_click: a function without arguments; it must only set flags (it runs on
            another thread than the training).

    Returns:
        Whether the hook could be placed (ipykernel 7 with its shell channel thread).
    """
    comm = getattr(button, "comm", None)
    kernel = getattr(comm, "kernel", None)
    route = getattr(comm, "_reply_subshell_for", None)
    if route is None or getattr(kernel, "shell_channel_thread", None) is None:
        return False

    def peek(data, default):
        if is_click(data):
            on_click()
        return route(data, default)

    comm._reply_subshell_for = peek
    return True


def is_click(data):
    """Whether a widget message's data is a button click (``{'method': 'custom', 'content': {'event': 'click'}}``)."""
    if not isinstance(data, dict) or data.get("method") != "custom":
        return False
    content = data.get("content")
    return isinstance(content, dict) and content.get("event") == "click"
