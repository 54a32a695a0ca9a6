"""``kfunc.models``: Model and Sequential."""

from kfunc.models.model import Model
from kfunc.models.saving import load_model
from kfunc.models.sequential import Sequential
