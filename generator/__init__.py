"""agreements: the 知数云 customer agreement as code."""

__version__ = "0.1.0"
