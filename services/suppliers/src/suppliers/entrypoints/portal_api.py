"""HTTP API of the supplier's own portal profiles (supplier users, scoped to their linked suppliers)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from shared.runtime import CurrentPrincipal
from suppliers.entrypoints.deps import Uow
from suppliers.entrypoints.schemas import PortalProfileOut, ProfilePage, ProfilePatch
from suppliers.service import profiles

router = APIRouter(prefix="/api/v1/portal", tags=["portal profiles"])


def _out(profile: PortalProfileOut | None) -> PortalProfileOut:
    assert profile is not None, "the use cases answer only suppliers with a profile"
    return profile


@router.get("/profiles", response_model=ProfilePage)
async def list_profiles(caller: CurrentPrincipal, uow: Uow) -> ProfilePage:
    """The caller's profiles: one per linked supplier record whose portal has been activated."""
    found = await profiles.list_profiles(uow, caller)
    return ProfilePage(items=[_out(PortalProfileOut.of(view)) for view in found])


@router.get("/profiles/{supplier_id}", response_model=PortalProfileOut)
async def get_profile(supplier_id: UUID, caller: CurrentPrincipal, uow: Uow) -> PortalProfileOut:
    return _out(PortalProfileOut.of(await profiles.get_profile(uow, caller, supplier_id)))


@router.patch("/profiles/{supplier_id}", response_model=PortalProfileOut)
async def patch_profile(supplier_id: UUID, body: ProfilePatch, caller: CurrentPrincipal, uow: Uow) -> PortalProfileOut:
    """Edit the profile while the portal is active (else 409); email, phone, name and shown custom
    fields reach the buyer's record, address and terms stay in the profile."""
    return _out(PortalProfileOut.of(await profiles.edit_profile(uow, caller, supplier_id, body.changes())))
