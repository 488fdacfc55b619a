"""A test-only app with one person-keyed model, standing for the T2 models to come.

Installed only with SUNFLOWER_ENV=test (its migration runs only in test databases), so that
production carries no sensitive model that lacks access functions.
"""
