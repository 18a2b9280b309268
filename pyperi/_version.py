"""The single place pyperi's version is written."""
__version__ = '1.0.0'
