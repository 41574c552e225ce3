"""jobfleet slave: dials the master, runs what it is sent, streams output and results back."""

__version__ = "0.1.0"
