"""dl4text: autograded assignment kit for Deep Learning for Text."""

__version__ = "0.1.0"
