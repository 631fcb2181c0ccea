"""The domain: the event kinds, the case state machine and every rule of the register.

Nothing here knows it runs in a terminal: modules take a connection (or the register
unit of work) and plain values, and raise `errors.EnvaginError` subclasses.
"""
