"""learnburn: learn, compare and ship traditional machine-learning models on tables."""

__version__ = "0.1.0"

__all__ = ["__version__"]
