"""IPython start-up file for `tools/check_lessons.sh`: the lessons' kernels draw other random weights.

Every ``torch.manual_seed(n)`` (``kfunc.utils.set_random_seed`` calls it) seeds ``n + 1``
instead. Training then takes another path, as it can on another machine whose rounding
differs, and whatever nbval still compares exactly must not notice. The data sets are drawn
with numpy and do not change.
"""

import torch as _torch

_seed_torch = _torch.manual_seed


def _shifted_manual_seed(seed, _seed=_seed_torch):
    return _seed(int(seed) + 1)


_torch.manual_seed = _shifted_manual_seed
