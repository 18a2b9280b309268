"""The module PyPeri 0.2.0 defined ``Peri`` in, so ``from pyperi.pyperi import Peri`` works."""
from .client import Peri

__all__ = ['Peri']
