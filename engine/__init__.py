"""The rules engine: pure functions from a Profile to a Report (no I/O, no clock).

from engine import Profile, evaluate
report = evaluate(Profile.model_validate(data))   # the law of engine/parameters/ (or of
                                                  # ADVISOR_PARAMETERS_DIR, read at import)
report = evaluate(profile, ParameterSet.load(directory))   # any other parameter set
"""

from engine.errors import EngineError, InvalidProfile, UnsupportedYear
from engine.evaluate import evaluate
from engine.parameters import SUPPORTED_YEARS, ParameterSet
from engine.profile import Profile, parse_profile
from engine.report import Report

__all__ = [
    "SUPPORTED_YEARS",
    "EngineError",
    "InvalidProfile",
    "ParameterSet",
    "Profile",
    "Report",
    "UnsupportedYear",
    "evaluate",
    "parse_profile",
]
