"""The one error hierarchy of the project.

It lives in `corpus` because every other package may import `corpus`; the CLI and
the app are the only places that turn these into exit codes or UI messages.
"""


class AssistantError(Exception):
    """Base class: a problem the user can fix, with a message saying how.

    A message shown in the chat may also come in Chinese (`zh=`), for the Chinese interface.
    """

    def __init__(self, message: str = "", *, zh: str | None = None):
        super().__init__(message)
        self.zh = zh

    def localized(self, language: str) -> str:
        """The message in the interface's language when there is one, else in English."""
        return self.zh if language == "zh" and self.zh else str(self)


class CorpusFormatError(AssistantError):
    """A resolution file cannot be read or parsed (names the file and line)."""


class IndexStateError(AssistantError):
    """The clause index is missing, incomplete, corrupted or unreachable."""


class ModelError(AssistantError):
    """The embedding model cannot be found, materialized or loaded."""


class QuestionError(AssistantError):
    """A question cannot be answered as asked (empty, too long, unreadable)."""


class LLMError(AssistantError):
    """The optional LLM endpoint failed; callers fall back to extractive answers."""


class CorpusWarning(UserWarning):
    """Something in a resolution file was parsed by a fallback rule (e.g. an unknown heading)."""
