"""The functional core of paperbot: domain types, features, the model, ranking and evaluation.

Imports only the standard library, numpy, scipy, scikit-learn and lightfm. Time comes in as an
argument and randomness as a seed, so everything here is testable without a database or a chat.
"""
