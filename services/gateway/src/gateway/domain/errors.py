"""Errors of identity and invitations."""

from shared.errors import Conflict, DomainError, InvalidInput, NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    default_detail = "email or password is wrong"


class EmailTaken(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(f"a user with email {email} already exists")


class InvitationNotFound(NotFound):
    default_detail = "invitation not found, already used or expired"


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


class InvalidName(InvalidInput):
    def __init__(self, detail: str, *, field: str) -> None:
        super().__init__(detail, errors=[{"field": field, "message": detail}])


class UnknownRole(InvalidInput):
    def __init__(self, role: str, known: tuple[str, ...]) -> None:
        detail = f"unknown role {role!r}; one of {', '.join(known)}"
        super().__init__(detail, errors=[{"field": "role", "message": detail}])


class OrganisationNotFound(NotFound):
    default_detail = "organisation not found"


class NotASupplierAccount(Conflict):
    """The invited email signs in to a buyer account: a buyer's staff cannot act as a supplier."""

    default_detail = "this email belongs to a buyer account, which cannot be linked to a supplier"


class ExistingAccountPasswordWrong(Unauthorized):
    """An invitation to an email that already has an account is accepted with that account's password."""

    def __init__(self) -> None:
        super().__init__(
            "this email already has a portal account: accept the invitation with that account's password"
            " to add the supplier to it",
        )


class UserNotFound(NotFound):
    default_detail = "user not found"


class CannotDisableAccount(Conflict):
    pass


class WrongPassword(InvalidInput):
    """The current password given to change it is not the account's."""

    def __init__(self, field: str = "current_password") -> None:
        detail = "the password is wrong" if field == "password" else "the current password is wrong"
        super().__init__(detail, errors=[{"field": field, "message": detail}])


class AccountLinkNotFound(NotFound):
    default_detail = "this link is unknown, already used or expired; ask for a new one"


class SupplierPortalNotActive(Conflict):
    default_detail = "the supplier's portal access is not active: activate it to send an invitation"


class InvalidMatchingDefault(InvalidInput):
    """A default tolerance out of range; the error names the setting."""

    def __init__(self, detail: str, *, field: str, message: str) -> None:
        super().__init__(detail, errors=[{"field": field, "message": message}])
