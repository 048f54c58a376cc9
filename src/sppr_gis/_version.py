"""The package's version, in a module of its own so that modules inside the library need not import the package root."""

__version__ = "0.1.0"
