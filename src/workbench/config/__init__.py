"""Configuration: the parameter schema, its sections and the data contract (no analysis, no plotting)."""
