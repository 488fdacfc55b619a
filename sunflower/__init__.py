"""Sunflower (向阳花): a city's platform for the mental health of its cadres."""

__version__ = "0.1.0"
