"""Infosäk dashboard: scoped queries, pure figures and Dash pages over the store."""


def __getattr__(name: str) -> str:
    """``__version__``, the installed version: Dash puts it in the address of the scripts it
    serves from this package (dashboard.app.serve_plotly_bundle), read when a page is served."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("infosak")
        except PackageNotFoundError:
            return "0"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
