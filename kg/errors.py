"""Named errors.  The CLI maps each to a message and an exit code."""


class KGError(Exception):
    """Base of every error the library raises on purpose."""
    exit_code = 2


class InputError(KGError):
    """An input file or folder is missing, unreadable, empty, binary or undecodable."""
    exit_code = 1


class ResourceError(KGError):
    """A lexicon or pattern file under kg/resources/ is malformed (names file and line)."""
    exit_code = 3


class GraphError(KGError):
    """A graph file cannot be read or written."""
    exit_code = 1


class QueryError(KGError):
    """A SPARQL query is malformed or cannot be run."""
    exit_code = 1


class GoldError(KGError):
    """A gold annotation folder or file is malformed."""
    exit_code = 1


def one_line(e: BaseException) -> str:
    """An unexpected exception as one line for a report: its type and message, at most 300
    characters."""
    text = " ".join(str(e).split())
    return (f"{type(e).__name__}: {text}" if text else type(e).__name__)[:300]
