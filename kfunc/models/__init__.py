"""``kfunc.models``: Model and Sequential, and making models from files, configs and other models."""

from kfunc.models.model import Model
from kfunc.models.saving import load_model, model_from_config, model_from_json, save_model
from kfunc.models.sequential import Sequential
from kfunc.models.cloning import clone_model  # noqa: E402 (it builds on Sequential)
