"""somatosim.engine."""
