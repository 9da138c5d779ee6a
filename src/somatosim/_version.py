"""Version of the somatosim package."""

__version__ = "0.1.0"
