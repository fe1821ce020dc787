"""The bottom layer: data types, errors and the Model protocol (imports nothing of the product)."""
