"""gongan-kg: knowledge graphs of Chinese public-security news."""
__version__ = "0.1.0"
