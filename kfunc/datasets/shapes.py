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
RADIUS = {"small": (0.14, 0.18), "large": (0.28, 0.34)}


def draw_radius(large, size, rng):
    """Draw a radius in pixels for each entry of ``large`` (0 for small, 1 for large)."""
    low = np.where(large, RADIUS["large"][0], RADIUS["small"][0])
    high = np.where(large, RADIUS["large"][1], RADIUS["small"][1])
    return rng.uniform(low, high) * size


def _masks(dx, dy, r):
    """Masks of each shape of "radius" ``r``, given pixel offsets ``dx, dy`` from its centre.

    Returns a boolean array with a leading axis of length ``len(SHAPES)``.
    """
    square = np.maximum(np.abs(dx), np.abs(dy)) <= 0.8 * r
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
    if len(x) > _CHUNK:  # a few hundred images at a time keeps the temporaries small
        parts = [
            draw_shapes(size, x[i:i + _CHUNK], y[i:i + _CHUNK], radius[i:i + _CHUNK],
                        shape[i:i + _CHUNK], colour[i:i + _CHUNK], rng)
            for i in range(0, len(x), _CHUNK)
        ]
        return np.concatenate(parts)
    centres = np.arange(size) + 0.5  # pixel centres
    dx = centres[None, None, :] - np.asarray(x, float)[:, None, None]
    dy = centres[None, :, None] - np.asarray(y, float)[:, None, None]
    r = np.asarray(radius, float)[:, None, None]
    inside = np.take_along_axis(_masks(dx, dy, r), np.asarray(shape)[None, :, None, None], 0)[0]

    images = rng.uniform(0.0, _BACKGROUND, size=(len(inside), size, size, 3))
    images = np.where(inside[..., None], _RGB[np.asarray(colour)][:, None, None, :], images)
    return images.astype(np.float32)
