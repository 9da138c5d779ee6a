"""somatosim.analysis."""
