"""Surrogate models of the loss (see ``search.surrogates.base`` for the role)."""

from search.surrogates.base import Surrogate, training_subset
from search.surrogates.forest import RandomForest
from search.surrogates.gp import GaussianProcess

__all__ = ["GaussianProcess", "RandomForest", "Surrogate", "training_subset"]
