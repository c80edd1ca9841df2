"""The model of paperbot: features, the LightFM hybrid and ALS, scoring, selection, reasons,
training, persistence (as plain arrays) and the offline evaluation.

Imports only the standard library, numpy, scipy, scikit-learn, lightfm and implicit. Time comes
in as an argument and randomness as a seed, so everything here is testable without a database
or a chat. The application that uses it (who gets what, when) is engine/.
"""
