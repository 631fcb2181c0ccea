"""envagin: ärenderegister och uppföljning för En väg in."""

__version__ = "0.1.0"
