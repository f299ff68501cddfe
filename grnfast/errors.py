"""The exception grnfast raises for a user's mistake (a bad file, an unknown gene,
a bad option or parameter). The command line reports these on one line; any other
exception is a bug and keeps its traceback."""


class GRNInputError(ValueError):
    """Bad input to grnfast; the message names the input and the problem."""
