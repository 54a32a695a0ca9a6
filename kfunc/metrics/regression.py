"""Regression metrics that are not the running mean of a per-sample loss.

``RootMeanSquaredError`` is the square root of the running mean squared error (not
the mean of the batches' roots). ``R2Score`` is the coefficient of determination:
1 minus the residual sum of squares over the targets' total sum of squares about
their mean, from running sums, so it is exact over the epoch however it is batched.
"""

import warnings

import torch

from kfunc.metrics.base import Mean, Metric

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class RootMeanSquaredError(Mean):
    """The square root of the (weighted) mean of the squared errors over all values."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        with torch.no_grad():
            y_true, y_pred = self._floats(y_true, y_pred)
            if y_true.dim() == y_pred.dim() + 1 and y_true.shape[-1] == 1:
                y_true = y_true.squeeze(-1)
            elif y_pred.dim() == y_true.dim() + 1 and y_pred.shape[-1] == 1:
                y_pred = y_pred.squeeze(-1)
            super().update_state(torch.square(y_pred - y_true), sample_weight)

    def result(self):
        return torch.sqrt(super().result())


class R2Score(Metric):
    """The coefficient of determination R², of targets and predictions of shape (batch, outputs).

    Args:
        class_aggregation: ``'uniform_average'`` (the mean of the outputs' scores),
            ``'variance_weighted_average'`` (weighted by each output's variance) or
            ``None`` (one score per output).
        num_regressors: the number of explanatory variables, for the adjusted R²
            (0: plain R²).
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name, dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                f"R2Score(class_aggregation={class_aggregation!r}): use 'uniform_average', "
                "'variance_weighted_average' or None."
            )
        if num_regressors < 0:
            raise ValueError(f"R2Score(num_regressors={num_regressors!r}): it must be 0 or more.")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.reset_state()

    def reset_state(self):
        self.sum = self.squared_sum = self.total_mse = self.count = None
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None):
        with torch.no_grad():
            y_true, y_pred = self._floats(y_true, y_pred)
            y_true = y_true.unsqueeze(-1) if y_true.dim() == 1 else y_true
            y_pred = y_pred.reshape(y_true.shape) if y_pred.numel() == y_true.numel() else y_pred
            if y_true.dim() != 2 or y_true.shape != y_pred.shape:
                raise ValueError(
                    f"R2Score ({self.name!r}) takes targets and predictions of shape (batch, outputs), the same "
                    f"for both; got {tuple(y_true.shape)} and {tuple(y_pred.shape)}."
                )
            weight = self._weights(sample_weight, y_true)
            weighted = weight * y_true
            sums = [
                weighted.sum(0), (weighted * y_true).sum(0),
                (torch.square(y_true - y_pred) * weight).sum(0), weight.sum(0),
            ]
            if self.sum is None:
                self.sum, self.squared_sum, self.total_mse, self.count = sums
            else:
                for state, new in zip((self.sum, self.squared_sum, self.total_mse, self.count), sums):
                    state.add_(new)
            self.num_samples += y_true.numel()  # values, not rows, as tf.keras counts them

    def result(self):
        if self.sum is None:
            return torch.tensor(0.0)
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean  # the targets' sum of squares about their mean
        scores = 1 - self.total_mse / total
        scores = torch.where(torch.isinf(scores), torch.zeros_like(scores), scores)  # constant targets
        if self.class_aggregation == "uniform_average":
            r2 = scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            r2 = torch.sum(total * scores) / torch.sum(total)
        else:
            r2 = scores
        return self._adjusted(r2)

    def _adjusted(self, r2):
        """R² adjusted for ``num_regressors`` explanatory variables, when that is defined."""
        n, p = self.num_samples, self.num_regressors
        if p == 0:
            return r2
        if p >= n - 1:
            warnings.warn(
                f"R2Score: the adjusted R² needs more samples ({n}) than num_regressors + 1 ({p + 1}); "
                "reporting the plain R².", stacklevel=2,
            )
            return r2
        return 1 - (1 - r2) * (n - 1) / (n - p - 1)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
