"""somatosim.scenario."""
