"""Infosäk dashboard: scoped queries, pure figures and Dash pages over the store."""
