"""Drawing coloured shapes on small, slightly noisy images (for the visual and video QA sets).

Every image shows one filled shape (square, circle, triangle or cross) of one colour on a dark
background with a little random noise, as float32 RGB values in [0, 1], channels last.
"""

import numpy as np

SHAPES = ("square", "circle", "triangle", "cross")
COLOURS = ("red", "green", "blue", "yellow", "magenta", "cyan")
_RGB = np.array([
    (0.90, 0.10, 0.10),  # red
    (0.10, 0.80, 0.10),  # green
    (0.15, 0.30, 1.00),  # blue
    (0.95, 0.90, 0.10),  # yellow
    (0.90, 0.10, 0.90),  # magenta
    (0.10, 0.90, 0.90),  # cyan
])
_BACKGROUND = 0.15  # background pixels are uniform in [0, _BACKGROUND]

# The radius of a "small" and of a "large" shape, as fractions of the image side (low, high).
# Even a small shape spans a dozen pixels at 32x32, so that a small network can tell the four
# shapes apart; the largest still fits with room to move (see ``video_qa``).
RADIUS = {"small": (0.18, 0.22), "large": (0.32, 0.36)}

# How far a shape's centre may sit from the middle of the picture, on each axis, as a fraction
# of the side. Shapes near the middle keep the toy task within reach of a small network trained
# for seconds: with shapes anywhere in the picture, it would have to learn each shape at every
# place from a few hundred examples, and its shape answers stayed near chance.
WANDER = 0.1


def draw_radius(large, size, rng):
    """Draw a radius in pixels for each entry of ``large`` (0 for small, 1 for large)."""
    low = np.where(large, RADIUS["large"][0], RADIUS["small"][0])
    high = np.where(large, RADIUS["large"][1], RADIUS["small"][1])
    return rng.uniform(low, high) * size


def place(radius, size, rng, travel=0.0, step=None):
    """Draw where each shape starts, so that its centre stays near the middle all along its path.

    Every centre a shape visits, in a picture or in any frame of a clip, lies at most
    ``WANDER * size`` from the middle of the picture on each axis (and closer where a large
    shape would otherwise leave the picture). Pictures and clips thus show shapes at the same
    places, so a vision model trained on pictures sees familiar frames.

    Args:
        radius: float array ``(m,)``, each shape's radius in pixels.
        size: side of the square pictures, in pixels.
        rng: a ``numpy.random.Generator``.
        travel: distance in pixels each shape moves from the first frame to the last, at most
            ``2 * WANDER * size``.
        step: int array ``(m, 2)`` of unit moves in x and y (``None``: the shapes stay still).

    Returns:
        float array ``(m, 2)``: the ``(x, y)`` of each shape's centre in the first frame.
    """
    radius = np.asarray(radius, float)[:, None]
    step = np.zeros((len(radius), 2)) if step is None else np.asarray(step, float)
    half_path = travel * np.abs(step) / 2
    # how far the middle of each path may go: WANDER less the half path, and no further than
    # keeps the whole shape half a pixel inside the picture
    room = np.minimum(WANDER * size, size / 2 - 0.5 - radius) - half_path
    if (room < -1e-9).any():  # a path exactly as long as the box passes, despite rounding
        raise ValueError(f"a shape of radius {radius.max():.1f} pixels moving {travel:.1f} pixels "
                         f"does not fit near the middle of {size}x{size} pictures; move it at most "
                         f"{2 * WANDER * size:.1f} pixels.")
    middle = size / 2 + rng.uniform(-1.0, 1.0, size=room.shape) * np.maximum(room, 0.0)
    return middle - travel * step / 2


def _masks(dx, dy, r):
    """Masks of each shape of "radius" ``r``, given pixel offsets ``dx, dy`` from its centre.

    Returns a boolean array with a leading axis of length ``len(SHAPES)``.
    """
    square = np.maximum(np.abs(dx), np.abs(dy)) <= r
    circle = dx ** 2 + dy ** 2 <= r ** 2
    # a triangle pointing up: apex r above the centre, base 0.6 r below, widening downwards
    triangle = (dy >= -r) & (dy <= 0.6 * r) & (np.abs(dx) <= (dy + r) * 0.6)
    bar = 0.3 * r
    cross = ((np.abs(dx) <= r) & (np.abs(dy) <= bar)) | ((np.abs(dy) <= r) & (np.abs(dx) <= bar))
    return np.stack([square, circle, triangle, cross])


_CHUNK = 256


def draw_shapes(size, x, y, radius, shape, colour, rng):
    """Draw one shape per image on a noisy dark background.

    Args:
        size: side of the square images, in pixels.
        x, y: float arrays ``(m,)``: centre of each shape in pixels (x to the right, y down).
        radius: float array ``(m,)``: half the width of each shape, in pixels.
        shape: int array ``(m,)``: index into ``SHAPES``.
        colour: int array ``(m,)``: index into ``COLOURS``.
        rng: a ``numpy.random.Generator`` for the background noise.

    Returns:
        float32 array ``(m, size, size, 3)`` with values in [0, 1].

    Example:
        >>> rng = np.random.default_rng(0)
        >>> one = np.ones(1)
        >>> draw_shapes(32, 16 * one, 16 * one, 8 * one, [1], [0], rng).shape
        (1, 32, 32, 3)
    """
    images = np.empty((len(x), size, size, 3), dtype=np.float32)
    # a few hundred images at a time keeps the float64 temporaries small
    for i in range(0, len(x), _CHUNK):
        part = slice(i, i + _CHUNK)
        images[part] = _draw_chunk(size, x[part], y[part], radius[part], shape[part],
                                   colour[part], rng)
    return images


def _draw_chunk(size, x, y, radius, shape, colour, rng):
    """:func:`draw_shapes` for a few hundred images, in float64."""
    centres = np.arange(size) + 0.5  # pixel centres
    dx = centres[None, None, :] - np.asarray(x, float)[:, None, None]
    dy = centres[None, :, None] - np.asarray(y, float)[:, None, None]
    r = np.asarray(radius, float)[:, None, None]
    inside = np.take_along_axis(_masks(dx, dy, r), np.asarray(shape)[None, :, None, None], 0)[0]

    background = rng.uniform(0.0, _BACKGROUND, size=(len(inside), size, size, 3))
    return np.where(inside[..., None], _RGB[np.asarray(colour)][:, None, None, :], background)
