"""somatosim.clinical."""
