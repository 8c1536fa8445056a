"""Errors of the notifier rules."""

from shared.errors import Conflict, RetryLater


class EmailNotPending(Conflict):
    """Only a pending email can be sent or retried; a sent or failed one is settled."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the email is {status}, not pending")


class RecipientNotKnownYet(RetryLater):
    """The read model that gives the recipient's address has not arrived yet."""


class BuyerNotKnownYet(RetryLater):
    """The buyer organisation an email names has not arrived in the read model yet."""


class DeliveryFailed(Exception):
    """A try to hand the message to the SMTP server failed.

    ``permanent`` means the server refused it for good (5xx for the recipient or the message),
    so retrying cannot help; anything else is retried with backoff.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
