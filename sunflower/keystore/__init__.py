"""Key store: wrapped data keys and the encrypted model fields built on them."""
