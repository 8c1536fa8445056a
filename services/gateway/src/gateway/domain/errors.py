"""Errors of identity and invitations."""

from shared.errors import Conflict, InvalidInput, NotFound, Unauthorized


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
