"""somatosim.testing."""
