"""``Diagram``: a drawn model, as DOT text and as pictures made on demand.

``model_to_dot`` and ``plot_model`` return a :class:`Diagram`. It offers the
pydot methods Keras users know (``to_string``, ``create_svg``, ``create_png``,
``write``) and shows itself in a notebook as SVG, plus PNG for viewers that do not
trust SVG (GitHub, nbviewer, untrusted JupyterLab), plus the model's summary as
plain text, which always exists.
"""

import base64
import re
from pathlib import Path

from kfunc.display import renderers
from kfunc.display.dot import to_dot

_EXTENSIONS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


class Diagram:
    """A model's picture: the :class:`~kfunc.display.scene.Scene`, its DOT text, its images.

    Args:
        scene: what to draw (see :func:`kfunc.display.scene.build_scene`).
        text: the plain-text stand-in (the model's summary).
    """

    def __init__(self, scene, text=""):
        self.scene = scene
        self.text = text
        self._cache = {}
        self.renderer = None  # the renderer that drew the last picture

    @property
    def source(self):
        """The DOT text (for Graphviz), the same for the same model."""
        if "dot" not in self._cache:
            self._cache["dot"] = to_dot(self.scene)
        return self._cache["dot"]

    def to_string(self):
        """The DOT text, as ``pydot.Dot.to_string()`` gives it."""
        return self.source

    def pipe(self, format="svg", dpi=None):
        """The picture as bytes: ``'svg'``, ``'png'``, ``'pdf'`` or ``'dot'``.

        Args:
            format: the picture format.
            dpi: the resolution of a PNG (the diagram's ``dpi`` by default).

        Raises:
            kfunc.display.RenderError: when no renderer can write ``format``.
        """
        if format == "dot":
            return self.source.encode("utf-8")
        key = (format, dpi)
        if key not in self._cache:
            self._cache[key], self.renderer = renderers.render(self.scene, format, dpi)
        return self._cache[key]

    def create(self, prog=None, format="svg"):
        """pydot's spelling of :meth:`pipe` (``prog`` is ignored: the chain chooses)."""
        return self.pipe(format)

    def create_svg(self):
        return self.pipe("svg")

    def create_png(self):
        return self.pipe("png")

    def create_pdf(self):
        return self.pipe("pdf")

    @property
    def svg(self):
        """The SVG text."""
        return self.pipe("svg").decode("utf-8")

    @property
    def png(self):
        """The PNG bytes."""
        return self.pipe("png")

    def write(self, path, format=None):
        """Write the picture to ``path``, in the format its extension names.

        Args:
            path: a file name ending in ``.svg``, ``.png``, ``.pdf`` or ``.dot``.
            format: overrides the extension.

        Raises:
            ValueError: for an extension that is none of those.
        """
        path = Path(path)
        format = format or _EXTENSIONS.get(path.suffix.lower())
        if format not in _EXTENSIONS.values():
            raise ValueError(
                f"Cannot tell which picture to write to {str(path)!r}: the file name should end "
                f"in {', '.join(_EXTENSIONS)} (or pass format=...)."
            )
        path.write_bytes(self.pipe(format))
        return path

    save = write

    def to_graphviz(self):
        """The same drawing as a ``graphviz.Source`` (needs the graphviz package)."""
        import graphviz

        return graphviz.Source(self.source)

    def mimebundle(self):
        """``{mime type: data}`` for Jupyter: SVG and PNG when they can be drawn, text always."""
        bundle = {}
        for fmt, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
            try:
                data = self.pipe(fmt, dpi=_png_dpi(bundle.get("image/svg+xml"), self.scene.dpi) if fmt == "png" else None)
            except renderers.RenderError as error:
                renderers.report_once(
                    f"no-{fmt}", f"kfunc.display: cannot draw model {self.scene.name!r} as {fmt.upper()} ({error})."
                    + (" Showing its summary as text." if fmt == "svg" else "")
                )
                if fmt == "svg":
                    break
                continue
            # Jupyter carries images as text: SVG as is, PNG in base64.
            bundle[mime] = _fit_width(data.decode("utf-8")) if fmt == "svg" else base64.b64encode(data).decode("ascii")
        bundle["text/plain"] = self.text or f"<Diagram of model {self.scene.name!r}>"
        return bundle

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.mimebundle()

    def __repr__(self):
        calls = sum(1 for b in self.scene.boxes if b.kind != "output")
        return (
            f"<Diagram of model {self.scene.name!r}: {calls} layer calls, {len(self.scene.edges)} "
            "arrows; .source is the DOT text, .svg and .png the pictures>"
        )


# A notebook's PNG stand-in stays below this many pixels: a very tall model gets
# a coarser PNG (its SVG keeps every detail) instead of a slow, huge image.
MAX_PNG_PIXELS = 4_000_000


def _png_dpi(svg, dpi):
    """``dpi``, lowered so that the PNG of this SVG keeps under ``MAX_PNG_PIXELS``."""
    match = re.search(r'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"', svg or "")
    if not match:
        return None
    width, height = float(match.group(1)), float(match.group(2))
    pixels = width * height * (dpi / 72) ** 2
    if pixels <= MAX_PNG_PIXELS:
        return None
    return max(36, int(dpi * (MAX_PNG_PIXELS / pixels) ** 0.5))


def _fit_width(svg):
    """Let a wide SVG shrink to the notebook's width instead of being clipped."""
    return re.sub(r"<svg\b", '<svg style="max-width: 100%; height: auto"', svg, count=1)
