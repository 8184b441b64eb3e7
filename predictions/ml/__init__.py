"""The bike-demand ML pipeline: plain Python and scikit-learn, no Django anywhere below here.

dataset (load + clean) -> training (catalogue, holdouts, metrics) -> artifacts (joblib +
manifest) -> registry (verified, loaded once, predicts).
"""
