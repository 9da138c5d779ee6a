"""somatosim.report."""
