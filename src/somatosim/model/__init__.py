"""somatosim.model."""
