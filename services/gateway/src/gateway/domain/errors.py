"""Errors of identity and invitations."""

from shared.errors import Conflict, DomainError, InvalidInput, NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    def __init__(self) -> None:
        super().__init__("email or password is wrong")


class EmailTaken(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(f"a user with email {email} already exists")


class InvitationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("invitation not found, already used or expired")


class WeakPassword(InvalidInput):
    pass


class TooManyLoginAttempts(DomainError):
    """Too many failed sign-ins for this account or from this address; answered 429 with Retry-After."""

    status = 429
    title = "Too many login attempts"
    type_slug = "too-many-requests"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} seconds")
        self.retry_after_s = retry_after_s
