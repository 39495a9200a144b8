"""Carbon inclusion (碳普惠) use cases, one module per audience."""
