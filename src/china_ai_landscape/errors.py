"""The one exception type the library raises for problems a user can fix."""


class DatasetError(Exception):
    """A problem with the data package, its input or its use, with a message for people.

    The CLI prints the message on one line and exits with ``exit_code``
    (1: data invalid or a check failed, 2: unusable input or usage error).
    """

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


class UnsafePathError(DatasetError):
    """A path that would read outside the data package (absolute, ``..``, a URL, a symlink out).

    ``problem`` says which: remote, absolute, traversal, symlink or invalid.
    """

    def __init__(self, message: str, problem: str):
        super().__init__(message, exit_code=2)
        self.problem = problem
