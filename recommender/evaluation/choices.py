"""The names and defaults `paperbot eval` and `paperbot simulate` offer, in a module that imports
no numpy: click builds a command's options when the CLI is imported, so these must be at hand
before any numeric code loads (`paperbot --help` answers at once). protocols.py, simulate.py and
sim_policies.py take them from here; this is their one definition.
"""

from __future__ import annotations

from recommender.settings import ModelSettings

PROTOCOLS = ("random20", "P1", "P10", "cold")  # recommender.evaluation.protocols.split
MODES = ("none", "one-like", "interests")  # what is known of a simulated newcomer before day 1
# The closed loop's LightFM hybrid with mean fold-in (recommender.evaluation.sim_policies).
HYBRID_SETTINGS = ModelSettings(no_components=64, epochs=30, loss="warp")
