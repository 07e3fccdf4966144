"""Sweep Console's Python client: HyperDrive's vocabulary over the console's REST API.

>>> from sweepconsole import (Console, RandomParameterSampling, BanditPolicy,
...                           PrimaryMetricGoal, choice, loguniform)
>>> sampling = RandomParameterSampling({"eta0": loguniform(-9.2, -2.3),
...                                     "penalty": choice("l2", "l1")})
>>> sampling.search_space_json()["penalty"]
{'type': 'choice', 'values': ['l2', 'l1']}
"""

from sweepconsole.console import Console
from sweepconsole.datasets import Dataset
from sweepconsole.distribution_kinds import Distribution
from sweepconsole.distributions import (
    choice,
    float_range,
    int_range,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
from sweepconsole.errors import (
    AmbiguousName,
    AuthenticationError,
    ConsoleError,
    JobFailed,
    NotFound,
    SpecError,
    Unreachable,
)
from sweepconsole.policies import (
    ASHAPolicy,
    BanditPolicy,
    CurveFittingPolicy,
    EarlyTerminationPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
)
from sweepconsole.resources import Algorithm, Job
from sweepconsole.sampling import (
    AnnealSampling,
    BayesianParameterSampling,
    GridParameterSampling,
    ParameterSampling,
    PrimaryMetricGoal,
    RandomParameterSampling,
    SMACSampling,
    TPESampling,
)
from sweepconsole.submission import HyperDriveConfig
from sweepconsole.trials import Trial, TrialList

__version__ = "0.1.0"

__all__ = [
    "ASHAPolicy",
    "Algorithm",
    "AmbiguousName",
    "AnnealSampling",
    "AuthenticationError",
    "BanditPolicy",
    "BayesianParameterSampling",
    "Console",
    "CurveFittingPolicy",
    "ConsoleError",
    "Dataset",
    "Distribution",
    "EarlyTerminationPolicy",
    "GridParameterSampling",
    "HyperDriveConfig",
    "Job",
    "JobFailed",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "NotFound",
    "ParameterSampling",
    "PrimaryMetricGoal",
    "RandomParameterSampling",
    "SMACSampling",
    "SpecError",
    "TPESampling",
    "Trial",
    "TrialList",
    "TruncationSelectionPolicy",
    "Unreachable",
    "choice",
    "float_range",
    "int_range",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]
