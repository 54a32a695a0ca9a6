"""The tracker's words and tables: progress lines, the loss breakdown, the epoch table.

Every function here returns a string (HTML or plain text) built from plain values,
so each display (widgets, HTML outputs, a terminal) says the same thing. What ends
up in a saved notebook (:func:`epoch_table_html`, :func:`epoch_table_text`,
:func:`curves_caption`) holds only the training's values, never a time, so the
same training gives the same text.

The HTML uses inline styles only: a saved notebook is shown untrusted (GitHub,
nbviewer, a fresh clone), where ``<style>`` blocks and scripts are stripped but
``style`` attributes stay. Tables sit in a box that scrolls sideways, so a model
with many logged values (``val_main_output_accuracy``, ...) is never cut off at
the notebook's right edge.
"""

import html

from kfunc.widgets.record import loss_breakdown

BEST_STYLE = "background: #d3f9d8; font-weight: bold"
_TABLE_STYLE = "border-collapse: collapse; font-size: 12px; font-family: monospace"
_CELL = "padding: 2px 8px; text-align: right; border-bottom: 1px solid #e9ecef"
_SCROLLS = "overflow-x: auto; max-width: 100%"


def scrolling(table):
    """``table`` (HTML) in a box as wide as the output that scrolls sideways when the table is wider."""
    return f"<div style='{_SCROLLS}'>{table}</div>"


def number(value):
    """A logged value as text: 4 decimals, or scientific notation when very small or large."""
    if value is None:
        return "-"
    if value != value:
        return "nan"
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.3e}"


def duration(seconds):
    """``'7s'``, ``'2:05'``, ``'1:02:05'``: a time left, as the text progress bar writes it."""
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def per_step(seconds):
    """``'7ms/step'``: as fit's text progress bar writes it (notebook checks mask it)."""
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def values_text(logs, names=None):
    """``'loss: 0.4123 - acc: 0.8120'``, in ``names`` order (default: the logs' order)."""
    names = names if names is not None else list(logs)
    return " - ".join(f"{name}: {number(logs[name])}" for name in names if name in logs)


# ---------------------------------------------------------------------- progress


def progress_html(progress):
    """The live progress block: epoch, batch, time left, speed, running values.

    Args:
        progress: a :class:`~kfunc.widgets.tracker.Progress`.
    """
    p = progress
    parts = [f"<b>Epoch {p.epoch}/{p.epochs}</b>"]
    if p.steps:
        parts.append(f"batch {p.batch}/{p.steps}")
    if p.status:
        parts.append(f"<i>{html.escape(p.status)}</i>")
    timing = []
    if p.eta_epoch is not None:
        timing.append(f"epoch ends in {duration(p.eta_epoch)}")
    if p.eta_total is not None:
        timing.append(f"training ends in {duration(p.eta_total)}")
    if p.samples_per_second:
        timing.append(f"{p.samples_per_second:,.0f} samples/s")
    running = values_text(p.running)
    lines = [" &middot; ".join(parts)]
    if timing:
        lines.append(" &middot; ".join(timing))
    if running:
        lines.append(f"<span style='font-family: monospace'>{html.escape(running)}</span>")
    return "<div style='font-size: 13px; line-height: 1.5'>" + "<br>".join(lines) + "</div>"


def bar_html(done, total, colour="#4c6ef5"):
    """A progress bar drawn with two divs (for outputs without widgets)."""
    fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
    return (
        "<div style='width: 320px; height: 8px; background: #e9ecef; border-radius: 4px; margin: 2px 0'>"
        f"<div style='width: {100 * fraction:.1f}%; height: 8px; background: {colour}; border-radius: 4px'></div>"
        "</div>"
    )


def epoch_line(progress, logs, record):
    """The text display's line for a finished epoch, as fit's text progress bar prints it."""
    p = progress
    head = f"Epoch {p.epoch}/{p.epochs} - {int(p.elapsed_epoch)}s {per_step(p.elapsed_epoch / max(p.batch, 1))}"
    line = f"{head} - {values_text({k: v for k, v in logs.items() if k != 'lr'})}"
    lr = record.lr[-1] if record.lr else None
    if lr is not None:
        line += f" - lr: {lr:g}"
    return line


# ---------------------------------------------------------------------- breakdown


def breakdown_html(logs, weights):
    """Each output's loss, weight, weighted loss and share of the total, training and validation."""
    blocks = []
    for prefix, title in (("", "training"), ("val_", "validation")):
        rows, rest = loss_breakdown(logs, weights, prefix)
        if not rows:
            continue
        body = "".join(
            f"<tr><td style='{_CELL}; text-align: left'>{html.escape(r.output)}</td>"
            f"<td style='{_CELL}'>{number(r.loss)}</td><td style='{_CELL}'>x {r.weight:g}</td>"
            f"<td style='{_CELL}'>{number(r.weighted)}</td>"
            f"<td style='{_CELL}; text-align: left'>{_share_bar(r.share)} {100 * r.share:.1f}%</td></tr>"
            for r in rows
        )
        if abs(rest) > 1e-6 * max(abs(logs[prefix + "loss"]), 1e-12):
            body += (f"<tr><td style='{_CELL}; text-align: left'>other losses</td><td style='{_CELL}'></td>"
                     f"<td style='{_CELL}'></td><td style='{_CELL}'>{number(rest)}</td><td style='{_CELL}'></td></tr>")
        total = logs[prefix + "loss"]
        body += (f"<tr><td style='{_CELL}; text-align: left'><b>{prefix}loss</b></td><td style='{_CELL}'></td>"
                 f"<td style='{_CELL}'></td><td style='{_CELL}'><b>{number(total)}</b></td>"
                 f"<td style='{_CELL}; text-align: left'>100%</td></tr>")
        head = "".join(f"<th style='{_CELL}'>{h}</th>" for h in ("output", "loss", "weight", "weighted", "share"))
        blocks.append(
            f"<div style='display: inline-block; vertical-align: top; margin-right: 16px; max-width: 100%'>"
            f"<div style='font-size: 12px'><b>{title} loss by output</b></div>"
            + scrolling(f"<table style='{_TABLE_STYLE}'><tr>{head}</tr>{body}</table>") + "</div>"
        )
    return "".join(blocks)


def breakdown_text(logs, weights, prefix=""):
    """``'loss 0.5123 = 1 x main_output_loss 0.4000 (78.1%) + 0.2 x aux_output_loss 0.5615 (21.9%)'``."""
    rows, rest = loss_breakdown(logs, weights, prefix)
    if not rows:
        return ""
    terms = [f"{r.weight:g} x {prefix}{r.output}_loss {number(r.loss)} ({100 * r.share:.1f}%)" for r in rows]
    if abs(rest) > 1e-6 * max(abs(logs[prefix + "loss"]), 1e-12):
        terms.append(f"other {number(rest)}")
    return f"{prefix}loss {number(logs[prefix + 'loss'])} = " + " + ".join(terms)


def _share_bar(share):
    width = int(round(60 * min(max(share, 0.0), 1.0)))
    return (f"<span style='display: inline-block; width: {width}px; height: 8px; background: #4c6ef5; "
            f"vertical-align: middle'></span><span style='display: inline-block; width: {60 - width}px'></span>")


# ---------------------------------------------------------------------- epoch table


def _rate(value):
    return "-" if value is None else f"{value:g}"


def _columns(record):
    columns = [name for name in record.names if name in record.values]
    if any(v is not None for v in record.lr):
        columns.append("lr")
    return columns


def _best_rows(record, columns):
    """``{column: position of its best value}`` (none for the learning rate)."""
    return {name: record.best_index(name) for name in columns if name != "lr"}


def epoch_table_html(record):
    """One row per epoch, one column per value; each column's best value highlighted.

    The best epoch (by ``val_loss``, else ``loss``) is marked with a star.
    """
    columns = _columns(record)
    best = _best_rows(record, columns)
    best_epoch = record.best_index()
    head = "".join(f"<th style='{_CELL}'>{html.escape(c)}</th>" for c in ["epoch"] + columns)
    rows = []
    for i, epoch in enumerate(record.epochs):
        star = " &#9733;" if i == best_epoch else ""
        cells = [f"<td style='{_CELL}'>{epoch + 1}{star}</td>"]
        for name in columns:
            text = _rate(record.lr[i]) if name == "lr" else number(record.values[name][i])
            style = f"{_CELL}; {BEST_STYLE}" if best.get(name) == i else _CELL
            cells.append(f"<td style='{style}'>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = table_caption(record)
    return (
        f"<div><div style='font-size: 12px; margin: 4px 0'>{html.escape(caption)}</div>"
        + scrolling(f"<table style='{_TABLE_STYLE}'><tr>{head}</tr>{''.join(rows)}</table>") + "</div>"
    )


def epoch_table_text(record):
    """The epoch table as fixed-width text; ``*`` marks each column's best value."""
    columns = _columns(record)
    best = _best_rows(record, columns)
    best_epoch = record.best_index()
    header = ["epoch"] + columns
    body = []
    for i, epoch in enumerate(record.epochs):
        row = [f"{epoch + 1}" + (" *" if i == best_epoch else "")]
        for name in columns:
            text = _rate(record.lr[i]) if name == "lr" else number(record.values[name][i])
            row.append(text + ("*" if best.get(name) == i else ""))
        body.append(row)
    widths = [max(len(r[k]) for r in [header] + body) for k in range(len(header))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in [header] + body]
    return table_caption(record) + "\n" + "\n".join(lines)


def table_caption(record):
    done = len(record.epochs)
    caption = f"Trained {done} epoch{'s' if done != 1 else ''}"
    if record.total_epochs and record.total_epochs != done:
        caption += f" of {record.total_epochs}"
    caption += "."
    if record.stopped:
        caption += f" {record.stopped}"
    best = record.best_index()
    if best is not None:
        monitor = record.monitor
        caption += f" Best epoch: {record.epochs[best] + 1} ({monitor} {number(record.values[monitor][best])})."
    return caption


def curves_caption(record):
    """The text stand-in of the curves picture (no numbers that depend on timing)."""
    from kfunc.widgets.curves import panels

    titles = [title for title, _, _ in panels(record)]
    return f"<Training curves: {', '.join(titles) or 'no values'}; {len(record.epochs)} epochs>"

